//! [`Map`]: the insertion-ordered name → value map of attributes and map values, kept flat.
//!
//! Nearly every map vpcep holds is small: a resource's attributes (at most a few dozen, fixed
//! by the schema), its tags, one port mapping. A hash index costs more than it saves there —
//! an `IndexMap` of 16 attributes is a third larger than the same entries in a list — and a
//! large configuration or state holds hundreds of thousands of them. So a map is a list of
//! `(name, value)` pairs, searched in order, until it grows past [`INDEXED_FROM`] entries
//! (a `for_each` map of thousands of keys, say); from then on it is an `IndexMap`, so lookups
//! stay constant-time at any size. Both behave alike: insertion order is kept, inserting an
//! existing name replaces its value in place, and equality ignores order.

use super::Value;
use compact_str::CompactString;
use indexmap::IndexMap;

/// A name: up to 24 bytes (every attribute name, most tag keys) held inline, not allocated.
pub type Key = CompactString;

/// Entries past which a map keeps a hash index.
pub const INDEXED_FROM: usize = 32;

/// An insertion-ordered map from names to [`Value`]s.
#[derive(Clone, Default)]
pub struct Map(Repr);

#[derive(Clone)]
enum Repr {
    Flat(Vec<(Key, Value)>),
    Indexed(Box<IndexMap<Key, Value>>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Flat(Vec::new())
    }
}

impl Map {
    pub fn new() -> Self {
        Map::default()
    }

    /// A map with room for `n` entries (indexed from the start when `n` is large).
    pub fn with_capacity(n: usize) -> Self {
        if n > INDEXED_FROM {
            Map(Repr::Indexed(Box::new(IndexMap::with_capacity(n))))
        } else {
            Map(Repr::Flat(Vec::with_capacity(n)))
        }
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Flat(v) => v.len(),
            Repr::Indexed(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn position(&self, name: &str) -> Option<usize> {
        match &self.0 {
            Repr::Flat(v) => v.iter().position(|(k, _)| k == name),
            Repr::Indexed(m) => m.get_index_of(name),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        match &self.0 {
            Repr::Flat(v) => v.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            Repr::Indexed(m) => m.get(name),
        }
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match &mut self.0 {
            Repr::Flat(v) => v.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v),
            Repr::Indexed(m) => m.get_mut(name),
        }
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Sets `name` to `value`: an existing entry keeps its place; a new one goes last.
    /// Returns the value it replaced.
    pub fn insert(&mut self, name: impl Into<Key>, value: Value) -> Option<Value> {
        let name = name.into();
        match &mut self.0 {
            Repr::Flat(v) => {
                if let Some((_, slot)) = v.iter_mut().find(|(k, _)| *k == name) {
                    return Some(std::mem::replace(slot, value));
                }
                if v.len() < INDEXED_FROM {
                    v.push((name, value));
                    return None;
                }
                let mut m: IndexMap<Key, Value> = IndexMap::with_capacity(v.len() * 2);
                m.extend(std::mem::take(v));
                m.insert(name, value);
                self.0 = Repr::Indexed(Box::new(m));
                None
            }
            Repr::Indexed(m) => m.insert(name, value),
        }
    }

    /// Removes `name`, keeping the order of the rest.
    pub fn shift_remove(&mut self, name: &str) -> Option<Value> {
        match &mut self.0 {
            Repr::Flat(v) => {
                let at = v.iter().position(|(k, _)| k == name)?;
                Some(v.remove(at).1)
            }
            Repr::Indexed(m) => m.shift_remove(name),
        }
    }

    pub fn reserve(&mut self, additional: usize) {
        match &mut self.0 {
            Repr::Flat(v) if v.len() + additional <= INDEXED_FROM => v.reserve(additional),
            Repr::Flat(_) => {}
            Repr::Indexed(m) => m.reserve(additional),
        }
    }

    /// Keeps the entries for which `keep` is true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut Value) -> bool) {
        match &mut self.0 {
            Repr::Flat(v) => v.retain_mut(|(k, v)| keep(k, v)),
            Repr::Indexed(m) => m.retain(|k, v| keep(k, v)),
        }
    }

    /// Orders the entries by name.
    pub fn sort_keys(&mut self) {
        match &mut self.0 {
            Repr::Flat(v) => v.sort_by(|a, b| a.0.cmp(&b.0)),
            Repr::Indexed(m) => m.sort_keys(),
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        match &self.0 {
            Repr::Flat(v) => Iter::Flat(v.iter()),
            Repr::Indexed(m) => Iter::Indexed(m.iter()),
        }
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Value)> {
        let (flat, indexed) = match &mut self.0 {
            Repr::Flat(v) => (Some(v.iter_mut().map(|(k, v)| (k.as_str(), v))), None),
            Repr::Indexed(m) => (None, Some(m.iter_mut().map(|(k, v)| (k.as_str(), v)))),
        };
        flat.into_iter()
            .flatten()
            .chain(indexed.into_iter().flatten())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.iter().map(|(_, v)| v)
    }
}

/// The entries of a [`Map`] in insertion order.
pub enum Iter<'a> {
    Flat(std::slice::Iter<'a, (Key, Value)>),
    Indexed(indexmap::map::Iter<'a, Key, Value>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Flat(i) => i.next().map(|(k, v)| (k.as_str(), v)),
            Iter::Indexed(i) => i.next().map(|(k, v)| (k.as_str(), v)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Flat(i) => i.size_hint(),
            Iter::Indexed(i) => i.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Flat(i) => i.next_back().map(|(k, v)| (k.as_str(), v)),
            Iter::Indexed(i) => i.next_back().map(|(k, v)| (k.as_str(), v)),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a str, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Map {
    type Item = (Key, Value);
    type IntoIter = Box<dyn Iterator<Item = (Key, Value)>>;

    fn into_iter(self) -> Self::IntoIter {
        match self.0 {
            Repr::Flat(v) => Box::new(v.into_iter()),
            Repr::Indexed(m) => Box::new(m.into_iter()),
        }
    }
}

impl<K: Into<Key>> Extend<(K, Value)> for Map {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Into<Key>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut map = Map::with_capacity(iter.size_hint().0);
        map.extend(iter);
        map
    }
}

impl<K: Into<Key>, const N: usize> From<[(K, Value); N]> for Map {
    fn from(entries: [(K, Value); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl From<IndexMap<String, Value>> for Map {
    fn from(m: IndexMap<String, Value>) -> Self {
        m.into_iter().collect()
    }
}

/// Equal when they hold the same entries, in any order (as `IndexMap`).
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl std::fmt::Debug for Map {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Map {
    /// The entries `access` gives (a map being deserialized), in a map exactly as large as
    /// it needs to be: read into a list first, as JSON gives no length up front.
    pub(crate) fn read<'de, A: serde::de::MapAccess<'de>>(mut access: A) -> Result<Map, A::Error> {
        let mut entries = Vec::with_capacity(access.size_hint().unwrap_or(0).min(4096));
        while let Some(entry) = access.next_entry::<Key, Value>()? {
            entries.push(entry);
        }
        Ok(entries.into_iter().collect())
    }
}

impl serde::Serialize for Map {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for Map {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Map;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, access: A) -> Result<Map, A::Error> {
                Map::read(access)
            }
        }
        d.deserialize_map(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> (String, Value) {
        (format!("k{i}"), Value::int(i64::try_from(i).unwrap()))
    }

    #[test]
    fn a_map_is_three_words() {
        assert_eq!(std::mem::size_of::<Map>(), 24);
    }

    #[test]
    fn flat_and_indexed_maps_behave_alike() {
        // Seeded: the same operations on a map crossing the index threshold and on an IndexMap.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n).unwrap()
        };
        for _ in 0..200 {
            let mut map = Map::new();
            let mut want: IndexMap<String, Value> = IndexMap::new();
            for _ in 0..next(120) {
                let (k, v) = entry(next(80));
                match next(4) {
                    0 => assert_eq!(map.shift_remove(&k), want.shift_remove(&k)),
                    _ => assert_eq!(map.insert(k.clone(), v.clone()), want.insert(k, v)),
                }
                assert_eq!(map.len(), want.len());
            }
            let got: Vec<_> = map.iter().collect();
            let expected: Vec<_> = want.iter().map(|(k, v)| (k.as_str(), v)).collect();
            assert_eq!(got, expected);
            for i in 0..80 {
                let k = format!("k{i}");
                assert_eq!(map.get(&k), want.get(&k));
            }
            assert_eq!(map, Map::from(want));
        }
    }

    #[test]
    fn equality_ignores_order() {
        let a: Map = [entry(1), entry(2)].into();
        let b: Map = [entry(2), entry(1)].into();
        assert_eq!(a, b);
        assert_ne!(a, Map::from([entry(1)]));
    }

    #[test]
    fn inserting_an_existing_name_keeps_its_place() {
        let mut m: Map = [entry(1), entry(2)].into();
        m.insert("k1", Value::Null);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["k1", "k2"]);
    }
}
