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

impl ResourceId {
    pub fn new(rtype: ResourceType, name: impl Into<String>) -> Self {
        ResourceId {
            rtype,
            name: name.into(),
        }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.rtype, self.name)
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
                (Some(a), Some(b)) => a.cmp(&b),
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
