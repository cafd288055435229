//! The schema of each resource type: attributes, their types, defaults and whether they can change.
//!
//! One table drives validation (unknown attributes, types, defaults), planning (which changes
//! are in place and which are refused as immutable) and rendering (attribute order).

use super::address::ResourceType;
use super::value::Value;

/// The type an attribute accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Number,
    Bool,
    StringList,
    StringMap,
}

impl AttrType {
    pub fn describe(self) -> &'static str {
        match self {
            AttrType::String => "a string",
            AttrType::Number => "a number",
            AttrType::Bool => "a bool",
            AttrType::StringList => "a list of strings",
            AttrType::StringMap => "a map of strings",
        }
    }
}

/// The value an optional attribute takes when it is not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultValue {
    /// Left unset (`null`).
    Null,
    Str(&'static str),
    Bool(bool),
    EmptyList,
    EmptyMap,
}

impl DefaultValue {
    pub fn value(self) -> Value {
        match self {
            DefaultValue::Null => Value::Null,
            DefaultValue::Str(s) => Value::from(s),
            DefaultValue::Bool(b) => Value::Bool(b),
            DefaultValue::EmptyList => Value::List(Vec::new()),
            DefaultValue::EmptyMap => Value::Map(crate::model::Map::new()),
        }
    }
}

/// Whether the cloud lets an attribute change after create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Changed with an update call.
    InPlace,
    /// Fixed at create; a change is refused unless the resource is replaced explicitly.
    Immutable,
    /// Changed with an update call on Huawei Cloud (`profile = "huawei"`), whose API has one;
    /// fixed at create on OTC, whose API reference has none, and on the simulator.
    InPlaceOnHuawei,
}

#[derive(Debug, Clone, Copy)]
pub struct AttrSchema {
    pub name: &'static str,
    pub ty: AttrType,
    pub required: bool,
    pub default: DefaultValue,
    pub mutability: Mutability,
}

/// A nested block such as `port { ... }`, stored as a list of maps under its name.
#[derive(Debug, Clone, Copy)]
pub struct BlockSchema {
    pub name: &'static str,
    pub min_items: usize,
    pub max_items: usize,
    pub attrs: &'static [AttrSchema],
    pub mutability: Mutability,
}

#[derive(Debug, Clone, Copy)]
pub struct ResourceSchema {
    pub rtype: ResourceType,
    pub attrs: &'static [AttrSchema],
    pub blocks: &'static [BlockSchema],
    /// Attributes set by the cloud, readable through references.
    pub computed: &'static [(&'static str, AttrType)],
}

impl ResourceSchema {
    pub fn attr(&self, name: &str) -> Option<&'static AttrSchema> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&'static BlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }

    pub fn is_computed(&self, name: &str) -> bool {
        self.computed.iter().any(|(n, _)| *n == name)
    }

    /// Whether a configured attribute or block can change in place.
    pub fn mutability(&self, name: &str) -> Mutability {
        self.attr(name)
            .map(|a| a.mutability)
            .or_else(|| self.block(name).map(|b| b.mutability))
            .unwrap_or(Mutability::InPlace)
    }

    /// Whether `name` cannot change in place on a cloud of `profile` (`None`: the simulator,
    /// or not known, which counts as fixed).
    pub fn is_immutable(&self, name: &str, profile: Option<super::CloudProfile>) -> bool {
        match self.mutability(name) {
            Mutability::InPlace => false,
            Mutability::Immutable => true,
            Mutability::InPlaceOnHuawei => profile != Some(super::CloudProfile::Huawei),
        }
    }

    /// Every name a reference may read: configured attributes, blocks and computed attributes.
    pub fn readable_names(&self) -> impl Iterator<Item = &'static str> {
        self.attrs
            .iter()
            .map(|a| a.name)
            .chain(self.blocks.iter().map(|b| b.name))
            .chain(self.computed.iter().map(|(n, _)| *n))
    }
}

const fn attr(
    name: &'static str,
    ty: AttrType,
    required: bool,
    default: DefaultValue,
    mutability: Mutability,
) -> AttrSchema {
    AttrSchema {
        name,
        ty,
        required,
        default,
        mutability,
    }
}

use AttrType as T;
use DefaultValue as D;
use Mutability::{Immutable, InPlace, InPlaceOnHuawei};

const SERVICE_ATTRS: &[AttrSchema] = &[
    attr("name", T::String, false, D::Null, InPlace),
    attr("server_type", T::String, true, D::Null, Immutable),
    attr("port_id", T::String, true, D::Null, InPlace),
    attr("vpc_id", T::String, true, D::Null, Immutable),
    attr(
        "service_type",
        T::String,
        false,
        D::Str("interface"),
        Immutable,
    ),
    attr("approval_enabled", T::Bool, false, D::Bool(true), InPlace),
    attr("whitelist", T::StringList, false, D::EmptyList, InPlace),
    attr("tags", T::StringMap, false, D::EmptyMap, InPlace),
    attr("description", T::String, false, D::Null, InPlace),
    attr("tcp_proxy", T::String, false, D::Str("close"), InPlace),
    attr(
        "enterprise_project_id",
        T::String,
        false,
        D::Null,
        Immutable,
    ),
];

const PORT_ATTRS: &[AttrSchema] = &[
    attr("protocol", T::String, false, D::Str("TCP"), Immutable),
    attr("server_port", T::Number, true, D::Null, Immutable),
    attr("client_port", T::Number, true, D::Null, Immutable),
];

/// A gateway endpoint's `policy_statement { effect, action, resource }`.
const POLICY_ATTRS: &[AttrSchema] = &[
    attr("effect", T::String, true, D::Null, Immutable),
    attr("action", T::StringList, true, D::Null, Immutable),
    attr("resource", T::StringList, true, D::Null, Immutable),
];

/// Most statements one gateway endpoint's policy may have.
pub const MAX_POLICY_STATEMENTS: usize = 10;

/// Most port mappings one service may have.
pub const MAX_PORTS: usize = 200;

const SERVICE: ResourceSchema = ResourceSchema {
    rtype: ResourceType::Service,
    attrs: SERVICE_ATTRS,
    blocks: &[BlockSchema {
        name: "port",
        min_items: 1,
        max_items: MAX_PORTS,
        attrs: PORT_ATTRS,
        mutability: Immutable,
    }],
    computed: &[
        ("id", T::String),
        ("service_name", T::String),
        ("status", T::String),
        ("connection_count", T::Number),
        ("created_at", T::String),
        ("connections", T::StringList),
    ],
};

const ENDPOINT: ResourceSchema = ResourceSchema {
    rtype: ResourceType::Endpoint,
    attrs: &[
        attr("service_id", T::String, true, D::Null, Immutable),
        attr("vpc_id", T::String, true, D::Null, Immutable),
        attr("subnet_id", T::String, false, D::Null, Immutable),
        attr("port_ip", T::String, false, D::Null, Immutable),
        attr("enable_dns", T::Bool, false, D::Bool(false), Immutable),
        attr(
            "whitelist",
            T::StringList,
            false,
            D::EmptyList,
            InPlaceOnHuawei,
        ),
        attr("enable_whitelist", T::Bool, false, D::Null, InPlaceOnHuawei),
        attr(
            "route_tables",
            T::StringList,
            false,
            D::Null,
            InPlaceOnHuawei,
        ),
        attr("tags", T::StringMap, false, D::EmptyMap, InPlace),
        attr("description", T::String, false, D::Null, Immutable),
        attr(
            "enterprise_project_id",
            T::String,
            false,
            D::Null,
            Immutable,
        ),
    ],
    blocks: &[BlockSchema {
        name: "policy_statement",
        min_items: 0,
        max_items: MAX_POLICY_STATEMENTS,
        attrs: POLICY_ATTRS,
        mutability: InPlaceOnHuawei,
    }],
    computed: &[
        ("id", T::String),
        ("status", T::String),
        ("ip", T::String),
        ("service_name", T::String),
        ("dns_names", T::StringList),
        ("marker_id", T::Number),
        ("service_type", T::String),
        ("project_id", T::String),
        ("created_at", T::String),
        ("updated_at", T::String),
    ],
};

const APPROVAL: ResourceSchema = ResourceSchema {
    rtype: ResourceType::Approval,
    attrs: &[
        attr("service_id", T::String, true, D::Null, Immutable),
        attr("endpoints", T::StringList, false, D::EmptyList, InPlace),
        attr("accounts", T::StringList, false, D::Null, InPlace),
    ],
    blocks: &[],
    computed: &[("id", T::String), ("connections", T::StringList)],
};

pub fn schema(rtype: ResourceType) -> &'static ResourceSchema {
    match rtype {
        ResourceType::Service => &SERVICE,
        ResourceType::Endpoint => &ENDPOINT,
        ResourceType::Approval => &APPROVAL,
    }
}

/// Arguments every resource block accepts besides its schema.
pub const META_ATTRS: &[&str] = &["for_each", "count", "depends_on", "provider"];
/// Blocks every resource block accepts besides its schema.
pub const META_BLOCKS: &[&str] = &["lifecycle", "timeouts"];

/// The attributes that tell apart a new object of the cloud: what the create request sent and
/// the cloud keeps as sent. `core` are the ones every candidate must share; the others must
/// match too where the create set them.
pub fn identity_names(rtype: ResourceType) -> (&'static [&'static str], &'static [&'static str]) {
    match rtype {
        ResourceType::Service => (
            &["port_id", "vpc_id", "port"],
            &[
                "server_type",
                "name",
                "description",
                "tags",
                "approval_enabled",
                "tcp_proxy",
            ],
        ),
        ResourceType::Endpoint => (
            &["service_id", "vpc_id", "subnet_id"],
            &["port_ip", "enable_dns", "description", "tags"],
        ),
        ResourceType::Approval => (&["service_id"], &[]),
    }
}

/// Attributes the cloud chooses when the configuration leaves them unset, or does not always
/// report, or that records made before vpcep knew them lack: compared only when both sides
/// have a value. An endpoint's `port_ip` is read back from its `ip` once it has one; a gateway
/// endpoint's `route_tables` default to the VPC's default table; `enable_whitelist` follows
/// the whitelist; the enterprise project defaults to `0`.
pub fn computed_when_unset(rtype: ResourceType, name: &str) -> bool {
    match rtype {
        ResourceType::Endpoint => matches!(
            name,
            "port_ip"
                | "route_tables"
                | "enable_whitelist"
                | "enterprise_project_id"
                | "policy_statement"
        ),
        ResourceType::Service => name == "enterprise_project_id",
        ResourceType::Approval => false,
    }
}

/// The identity a create records with its intent, from the attributes it sends.
pub fn create_identity(rtype: ResourceType, after: &crate::model::Map) -> crate::model::Map {
    let (core, rest) = identity_names(rtype);
    core.iter()
        .chain(rest)
        .map(|n| {
            (
                (*n).to_owned(),
                after.get(n).cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

fn sort_key(v: &Value) -> String {
    match v {
        Value::Map(m) => {
            // Port mappings sort by protocol and client port, then the rest.
            let mut parts: Vec<String> = ["protocol", "client_port", "server_port"]
                .iter()
                .map(|k| m.get(k).map(|x| format!("{x:>12}")).unwrap_or_default())
                .collect();
            parts.push(v.to_string());
            parts.join("|")
        }
        other => other.to_string(),
    }
}

/// Whether two values of attribute `name` are the same once normalized (see [`normalize`]),
/// without building normalized copies: equal values are (maps compare without regard to
/// order already), and lists that are sets are compared as sorted references. An empty
/// string, list or map is the same as no value: the API answers an empty `description` or
/// whitelist as absent, and a plan after apply must be empty.
pub fn same(name: &str, a: &Value, b: &Value) -> bool {
    if a == b || (is_absent(a) && is_absent(b)) {
        return true;
    }
    match (name, a, b) {
        (
            "whitelist" | "endpoints" | "accounts" | "port" | "route_tables",
            Value::List(x),
            Value::List(y),
        ) if x.len() == y.len() && x.iter().chain(y).all(Value::is_known) => {
            fn sorted(items: &[Value]) -> Vec<(String, &Value)> {
                let mut keyed: Vec<(String, &Value)> =
                    items.iter().map(|v| (sort_key(v), v)).collect();
                keyed.sort_by(|p, q| p.0.cmp(&q.0));
                keyed
            }
            sorted(x)
                .iter()
                .zip(sorted(y).iter())
                .all(|(p, q)| p.1 == q.1)
        }
        _ => false,
    }
}

/// No value, or an empty one: what an API may answer for a value it does not keep.
fn is_absent(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// The canonical form of an attribute for comparison: sets sorted, maps sorted by key.
pub fn normalize(name: &str, value: &Value) -> Value {
    match (name, value) {
        ("whitelist" | "endpoints" | "accounts" | "port" | "route_tables", Value::List(items))
            if items.iter().all(Value::is_known) =>
        {
            let mut sorted = items.clone();
            sorted.sort_by_key(sort_key);
            Value::List(sorted)
        }
        (_, Value::Map(map)) => {
            let mut sorted = map.clone();
            sorted.sort_keys();
            Value::Map(sorted)
        }
        _ => value.clone(),
    }
}

/// How an object of the cloud matches the identity a create recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityMatch {
    /// Another object.
    No,
    /// A look-alike: the same core identity, but something else the create sent differs.
    Core,
    /// Everything the create sent.
    Full,
}

/// Compares the attributes of an object of the cloud with a create's identity (see
/// [`identity_names`]); identity values the create left unset are not compared.
pub fn identity_match(
    rtype: ResourceType,
    identity: &crate::model::Map,
    attrs: &crate::model::Map,
) -> IdentityMatch {
    let (core, rest) = identity_names(rtype);
    let same = |name: &str| {
        let want = identity.get(name).unwrap_or(&Value::Null);
        same(name, want, attrs.get(name).unwrap_or(&Value::Null))
    };
    // An intent that does not know a core value cannot rule anything out: every object of its
    // type may be its create (recovery then refuses rather than create it again).
    if core
        .iter()
        .any(|n| identity.get(n).is_some_and(|v| !v.is_known()))
    {
        return IdentityMatch::Core;
    }
    if !core.iter().all(|n| same(n)) {
        return IdentityMatch::No;
    }
    if rest
        .iter()
        .all(|n| identity.get(n).is_none_or(Value::is_null) || same(n))
    {
        IdentityMatch::Full
    } else {
        IdentityMatch::Core
    }
}

/// The identity attributes of `attrs` that differ from `identity` (for messages).
pub fn identity_differences(
    rtype: ResourceType,
    identity: &crate::model::Map,
    attrs: &crate::model::Map,
) -> Vec<&'static str> {
    let (_, rest) = identity_names(rtype);
    rest.iter()
        .copied()
        .filter(|n| {
            let want = identity.get(n).unwrap_or(&Value::Null);
            !want.is_null() && !same(n, want, attrs.get(n).unwrap_or(&Value::Null))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `same` is equality of the normalized forms, on seeded random lists and maps (shuffled,
    /// with duplicates, unknowns and nested maps), for attributes that are sets and ones that
    /// are not.
    #[test]
    fn same_is_equality_of_normalized_forms() {
        let mut seed: u64 = 0x5eed;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let item = |next: &mut dyn FnMut(u64) -> u64| match next(4) {
            0 => Value::from(["a", "b", "c"][usize::try_from(next(3)).unwrap()]),
            1 => Value::int(i64::try_from(next(3)).unwrap()),
            2 if next(8) == 0 => Value::Unknown,
            _ => Value::map(
                [
                    ("protocol".to_owned(), Value::from("TCP")),
                    (
                        "client_port".to_owned(),
                        Value::int(i64::try_from(next(2)).unwrap()),
                    ),
                ]
                .into_iter()
                .collect(),
            ),
        };
        for _ in 0..5_000 {
            let len = usize::try_from(next(4)).unwrap();
            let a: Vec<Value> = (0..len).map(|_| item(&mut next)).collect();
            let mut b = a.clone();
            match next(3) {
                0 => b.reverse(),
                1 if !b.is_empty() => b[0] = item(&mut next),
                _ => b.push(item(&mut next)),
            }
            for name in ["whitelist", "port", "tags", "name"] {
                let (a, b) = (Value::List(a.clone()), Value::List(b.clone()));
                assert_eq!(
                    same(name, &a, &b),
                    normalize(name, &a) == normalize(name, &b),
                    "{name}: {a} vs {b}"
                );
            }
        }
    }

    /// An intent recorded with an unknown core value matches every candidate loosely, so that
    /// recovery refuses instead of deciding the create did not happen.
    #[test]
    fn an_unknown_core_value_cannot_rule_a_candidate_out() {
        let (core, _) = identity_names(ResourceType::Endpoint);
        let mut identity = crate::model::Map::new();
        let mut attrs = crate::model::Map::new();
        for name in core {
            identity.insert(*name, Value::from("x"));
            attrs.insert(*name, Value::from("y"));
        }
        assert_eq!(
            identity_match(ResourceType::Endpoint, &identity, &attrs),
            IdentityMatch::No
        );
        identity.insert(core[0].to_owned(), Value::Unknown);
        assert_eq!(
            identity_match(ResourceType::Endpoint, &identity, &attrs),
            IdentityMatch::Core
        );
    }

    /// Configuration loading keeps one map per instance for configured and computed values
    /// and separates them by name, so no computed attribute may share a configured name.
    #[test]
    fn computed_names_never_shadow_configured_ones() {
        for rtype in [
            ResourceType::Service,
            ResourceType::Endpoint,
            ResourceType::Approval,
        ] {
            let s = schema(rtype);
            for (name, _) in s.computed {
                assert!(
                    s.attr(name).is_none() && s.block(name).is_none(),
                    "{rtype:?}: `{name}` is both configured and computed"
                );
            }
        }
    }
}
