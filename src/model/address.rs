//! Resource addresses: `vpcep_service.api` (a resource) and `vpcep_service.fleet["a"]` (an instance).

use std::fmt;
use std::str::FromStr;

/// The three kinds of resource `vpcep` manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceType {
    Service,
    Endpoint,
    Approval,
}

impl ResourceType {
    pub const ALL: [ResourceType; 3] = [Self::Service, Self::Endpoint, Self::Approval];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Service => "vpcep_service",
            Self::Endpoint => "vpcep_endpoint",
            Self::Approval => "vpcep_approval",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Order in which creates run: services before endpoints before approvals.
    pub fn create_rank(self) -> u8 {
        match self {
            Self::Service => 0,
            Self::Endpoint => 1,
            Self::Approval => 2,
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource block in the configuration: `TYPE.NAME`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceId {
    pub rtype: ResourceType,
    pub name: String,
}

/// Between a module path and the resource's own name in [`ResourceId::name`]
/// (`module.svc["a"]/orders`), written `module.svc["a"].vpcep_service.orders`.
pub const MODULE_SEPARATOR: char = '/';

impl ResourceId {
    pub fn new(rtype: ResourceType, name: impl Into<String>) -> Self {
        ResourceId {
            rtype,
            name: name.into(),
        }
    }

    /// The resource block's own name, without its module path.
    pub fn local_name(&self) -> &str {
        self.name
            .rsplit_once(MODULE_SEPARATOR)
            .map_or(self.name.as_str(), |(_, n)| n)
    }

    /// The module instance it is in (`module.svc["a"]`), `None` for the root module.
    pub fn module_path(&self) -> Option<&str> {
        self.name.rsplit_once(MODULE_SEPARATOR).map(|(p, _)| p)
    }

    /// The same resource in the module instance `path` (nested in its own module, if any).
    #[must_use]
    pub fn in_module(&self, path: &str) -> ResourceId {
        let name = match self.module_path() {
            Some(inner) => format!("{path}.{inner}{MODULE_SEPARATOR}{}", self.local_name()),
            None => format!("{path}{MODULE_SEPARATOR}{}", self.name),
        };
        ResourceId::new(self.rtype, name)
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.module_path() {
            Some(path) => write!(f, "{path}.{}.{}", self.rtype, self.local_name()),
            None => write!(f, "{}.{}", self.rtype, self.name),
        }
    }
}

/// The key of a `count` instance: its index after this mark (`#0`), written `[0]`.
pub const COUNT_MARK: char = '#';

/// The key of the `count` instance `index`.
pub fn count_key(index: u64) -> String {
    format!("{COUNT_MARK}{index}")
}

/// The index of a `count` instance's key.
pub fn count_index(key: &str) -> Option<u64> {
    key.strip_prefix(COUNT_MARK)
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
}

/// One instance of a resource: `TYPE.NAME`, with `for_each` `TYPE.NAME["key"]`, with `count`
/// `TYPE.NAME[0]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    pub resource: ResourceId,
    pub key: Option<String>,
}

/// Addresses order by resource, then key; `count` instances by their index (`[2]` before
/// `[10]`).
impl Ord for Address {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.resource.cmp(&other.resource).then_with(|| {
            match (
                self.key.as_deref().and_then(count_index),
                other.key.as_deref().and_then(count_index),
            ) {
                // Equal indexes of different keys (`#01`, `#1`) still differ, as `Eq` says.
                (Some(a), Some(b)) => a.cmp(&b).then_with(|| self.key.cmp(&other.key)),
                _ => self.key.cmp(&other.key),
            }
        })
    }
}

impl PartialOrd for Address {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Address {
    pub fn new(resource: ResourceId, key: Option<String>) -> Self {
        Address { resource, key }
    }

    pub fn rtype(&self) -> ResourceType {
        self.resource.rtype
    }

    /// An instance key as written after a name: `["key"]`, or `[0]` for `count`.
    pub fn key_text(key: &str) -> String {
        match count_index(key) {
            Some(i) => format!("[{i}]"),
            None => format!("[{}]", serde_json::Value::String(key.to_owned())),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource)?;
        if let Some(key) = &self.key {
            match count_index(key) {
                Some(i) => write!(f, "[{i}]")?,
                None => write!(f, "[{}]", serde_json::Value::String(key.clone()))?,
            }
        }
        Ok(())
    }
}

/// Why a string is not a resource address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressError(pub String);

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a resource address; expected TYPE.NAME or TYPE.NAME[\"KEY\"], e.g. vpcep_service.api",
            self.0
        )
    }
}

impl std::error::Error for AddressError {}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AddressError(s.to_owned());
        let (path, rest) = split_module_path(s).ok_or_else(err)?;
        let mut address: Address = parse_local(rest).map_err(|_| err())?;
        if !path.is_empty() {
            address.resource = address.resource.in_module(&path);
        }
        Ok(address)
    }
}

/// The module path at the start of `s` (`module.NAME` or `module.NAME[KEY]`, any number of
/// times, joined by `.`) and what follows its `.`; `("", s)` without one, `(path, "")` when
/// `s` is a module path alone, `None` when a segment is malformed.
pub fn split_module_path(s: &str) -> Option<(String, &str)> {
    let mut path = String::new();
    let mut rest = s;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        if name_len == 0 {
            return None;
        }
        let mut end = name_len;
        if after[end..].starts_with('[') {
            end += module_key_len(&after[end..])?;
        }
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str("module.");
        path.push_str(&after[..end]);
        if end == after.len() {
            return Some((path, ""));
        }
        rest = after[end..].strip_prefix('.')?;
        if rest.is_empty() {
            return None;
        }
    }
    Some((path, rest))
}

/// The length of `[KEY]` at the start of `s` (a quoted key may hold `]`).
fn module_key_len(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('[')?;
    if inner.starts_with('"') {
        let mut escaped = false;
        for (i, c) in inner.char_indices().skip(1) {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => return inner[i + 1..].starts_with(']').then_some(i + 3),
                _ => {}
            }
        }
        None
    } else {
        inner.find(']').map(|i| i + 2)
    }
}

/// `TYPE.NAME` or `TYPE.NAME[KEY]` of the root module.
fn parse_local(s: &str) -> Result<Address, AddressError> {
    {
        let err = || AddressError(s.to_owned());
        let (head, key) = match s.find('[') {
            Some(i) => {
                let rest = s[i..].strip_prefix('[').and_then(|r| r.strip_suffix(']'));
                let key: String = rest
                    .and_then(|k| match k.parse::<u64>() {
                        Ok(i) if !k.starts_with('+') => Some(count_key(i)),
                        _ => serde_json::from_str(k).ok(),
                    })
                    .ok_or_else(err)?;
                (&s[..i], Some(key))
            }
            None => (s, None),
        };
        let (rtype, name) = head.split_once('.').ok_or_else(err)?;
        let rtype = ResourceType::parse(rtype).ok_or_else(err)?;
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_name {
            return Err(err());
        }
        Ok(Address::new(ResourceId::new(rtype, name), key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for s in [
            "vpcep_service.api",
            "vpcep_endpoint.e[\"a b\"]",
            "vpcep_approval.x[\"q\\\"\"]",
            "vpcep_service.counted[0]",
            "vpcep_service.counted[12]",
            "module.svc.vpcep_service.api",
            "module.svc[\"a]b\"].vpcep_service.api[\"k\"]",
            "module.outer[2].module.inner.vpcep_endpoint.e[0]",
        ] {
            let a: Address = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
    }

    #[test]
    fn bad_addresses_are_rejected() {
        for s in [
            "vpcep_service",
            "aws_s3.x",
            "vpcep_service.a[b]",
            "vpcep_service.a.b",
        ] {
            assert!(s.parse::<Address>().is_err(), "{s}");
        }
    }
}
