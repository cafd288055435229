//! The Terraform providers' VPCEP resources and provider blocks, and what each of their
//! attributes is in vpcep: kept, renamed, left out (with why), or a reason the resource cannot
//! move. The facts are the providers' schemas (`spec/vpcep-api.md`, "Terraform provider
//! schemas").

use crate::model::ResourceType;

/// Which Terraform provider a resource type or provider block belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `opentelekomcloud` (Open Telekom Cloud).
    Otc,
    /// `huaweicloud` (Huawei Cloud): vpcep's `profile = "huawei"`.
    Huawei,
}

impl Origin {
    /// The provider's name in Terraform (`provider "NAME"`, `provider = NAME.alias`).
    pub fn provider_name(self) -> &'static str {
        match self {
            Origin::Otc => "opentelekomcloud",
            Origin::Huawei => "huaweicloud",
        }
    }

    pub fn from_provider_name(name: &str) -> Option<Origin> {
        match name {
            "opentelekomcloud" => Some(Origin::Otc),
            "huaweicloud" => Some(Origin::Huawei),
            _ => None,
        }
    }
}

/// A Terraform resource type vpcep manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub tf: &'static str,
    pub rtype: ResourceType,
    pub origin: Origin,
}

pub const KINDS: [Kind; 6] = [
    Kind {
        tf: "opentelekomcloud_vpcep_service_v1",
        rtype: ResourceType::Service,
        origin: Origin::Otc,
    },
    Kind {
        tf: "opentelekomcloud_vpcep_endpoint_v1",
        rtype: ResourceType::Endpoint,
        origin: Origin::Otc,
    },
    Kind {
        tf: "opentelekomcloud_vpcep_approval_v1",
        rtype: ResourceType::Approval,
        origin: Origin::Otc,
    },
    Kind {
        tf: "huaweicloud_vpcep_service",
        rtype: ResourceType::Service,
        origin: Origin::Huawei,
    },
    Kind {
        tf: "huaweicloud_vpcep_endpoint",
        rtype: ResourceType::Endpoint,
        origin: Origin::Huawei,
    },
    Kind {
        tf: "huaweicloud_vpcep_approval",
        rtype: ResourceType::Approval,
        origin: Origin::Huawei,
    },
];

/// The kind of a Terraform resource type, when vpcep manages it.
pub fn kind(tf: &str) -> Option<Kind> {
    KINDS.iter().copied().find(|k| k.tf == tf)
}

/// What becomes of one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    /// The same name in vpcep.
    Keep,
    /// vpcep's name for it.
    Rename(&'static str),
    /// Left out: vpcep does not manage it, and leaving it out changes nothing in the cloud.
    Drop(&'static str),
    /// The resource cannot move while it has this attribute (the reason says why).
    Blocks(&'static str),
}

const NOT_MANAGED: &str =
    "vpcep does not manage it; the cloud keeps the value it has and vpcep never changes it";
const REGION: &str = "the region is the provider's in vpcep";

/// What becomes of the attribute `name` of a resource of `kind`.
pub fn attribute(kind: Kind, name: &str) -> Attr {
    use Attr::{Blocks, Drop, Keep, Rename};
    use Origin::{Huawei, Otc};
    use ResourceType::{Approval, Endpoint, Service};
    // Meta-arguments (rewritten by the caller), then each type's attributes of the same name
    // in both providers, then those only the OTC provider shares with vpcep.
    const META: [&str; 4] = ["count", "for_each", "depends_on", "provider"];
    const SERVICE: [&str; 9] = [
        "name",
        "port_id",
        "vpc_id",
        "server_type",
        "service_type",
        "description",
        "tcp_proxy",
        "tags",
        "enterprise_project_id",
    ];
    const ENDPOINT: [&str; 8] = [
        "service_id",
        "vpc_id",
        "enable_dns",
        "whitelist",
        "enable_whitelist",
        "tags",
        "description",
        "enterprise_project_id",
    ];
    let same = match (kind.rtype, kind.origin) {
        (Service, origin) => {
            SERVICE.contains(&name)
                || (origin == Otc && matches!(name, "approval_enabled" | "whitelist"))
        }
        (Endpoint, origin) => {
            ENDPOINT.contains(&name)
                || (origin == Otc && matches!(name, "subnet_id" | "port_ip" | "route_tables"))
        }
        (Approval, _) => matches!(name, "service_id" | "endpoints"),
    };
    if META.contains(&name) || same {
        return Keep;
    }
    match (kind.rtype, kind.origin, name) {
        (_, _, "region") => Drop(REGION),
        (Service, Huawei, "approval") => Rename("approval_enabled"),
        (Service, Huawei, "permissions") => Rename("whitelist"),
        (Endpoint, Huawei, "network_id") => Rename("subnet_id"),
        (Endpoint, Huawei, "ip_address") => Rename("port_ip"),
        (Endpoint, Huawei, "routetables") => Rename("route_tables"),
        (Service, Otc, "vip_port_id" | "pool_id")
        | (
            Service,
            Huawei,
            "enable_policy" | "ip_version" | "snat_network_id" | "pool_id" | "ip_address",
        )
        | (Endpoint, Huawei, "ip_version" | "ipv6_address") => Drop(NOT_MANAGED),
        (Service, Huawei, "organization_permissions") => Drop(
            "vpcep manages account permissions only; the organization permissions stay as they are",
        ),
        (Endpoint, Huawei, "policy_statement" | "policy_document") => Blocks(
            "its policy is JSON in Terraform and `policy_statement` blocks in vpcep; write them and move it by hand (`vpcep import`)",
        ),
        _ => Blocks("vpcep has no such attribute"),
    }
}

/// What becomes of a nested block `name` of a resource of `kind`: its vpcep name, or `None`
/// when it is left out (the reason given).
pub fn block(kind: Kind, name: &str) -> Result<&'static str, &'static str> {
    match (kind.rtype, kind.origin, name) {
        (ResourceType::Service, Origin::Otc, "port")
        | (ResourceType::Service, Origin::Huawei, "port_mapping") => Ok("port"),
        (_, _, "lifecycle") => Ok("lifecycle"),
        (_, _, "timeouts") => Ok("timeouts"),
        (_, _, "provisioner" | "connection") => Err("vpcep runs no provisioners"),
        _ => Err("vpcep has no such block"),
    }
}

/// The vpcep name of an attribute inside a port mapping block.
pub fn port_attribute(name: &str) -> Option<&'static str> {
    match name {
        "protocol" => Some("protocol"),
        "server_port" | "service_port" => Some("server_port"),
        "client_port" | "terminal_port" => Some("client_port"),
        _ => None,
    }
}

/// The vpcep name of an attribute read through a reference (`TYPE.NAME.ATTR`), where it
/// differs from the configuration's name: the providers read some values back under other
/// names (an endpoint's address is vpcep's computed `ip`).
pub fn reference(kind: Kind, name: &str) -> &str {
    match (kind.rtype, kind.origin, name) {
        (ResourceType::Endpoint, Origin::Otc, "port_ip")
        | (ResourceType::Endpoint, Origin::Huawei, "ip_address") => "ip",
        (ResourceType::Endpoint, Origin::Huawei, "private_domain_name") => "dns_names",
        _ => match attribute(kind, name) {
            Attr::Rename(to) => to,
            _ => match (kind.origin, name) {
                (Origin::Huawei, "port_mapping") => "port",
                _ => name,
            },
        },
    }
}

/// The defaults of the Terraform provider that vpcep does not share or that the provider
/// documents as its own: `(tf attribute, vpcep attribute, value, why)`; each is written
/// explicitly when the Terraform configuration leaves it out, so that nothing changes meaning.
pub fn explicit_defaults(kind: Kind) -> &'static [(&'static str, &'static str, &'static str)] {
    match (kind.rtype, kind.origin) {
        (ResourceType::Service, Origin::Otc) => &[("approval_enabled", "approval_enabled", "true")],
        (ResourceType::Service, Origin::Huawei) => &[("approval", "approval_enabled", "false")],
        (ResourceType::Endpoint, Origin::Huawei) => &[("enable_dns", "enable_dns", "true")],
        _ => &[],
    }
}

/// The sign-in attributes only the OTC provider has (of vpcep's, which are its names).
const OTC_ONLY: [&str; 7] = [
    "tenant_name",
    "tenant_id",
    "token",
    "agency_name",
    "agency_domain_name",
    "delegated_project",
    "cloud",
];

/// What becomes of an attribute of a `provider` block: vpcep's `otc` provider takes the OTC
/// provider's sign-in attributes by their names ([`crate::cloud::auth::ATTRIBUTES`]).
pub fn provider_attribute(origin: Origin, name: &str) -> Attr {
    let signs_in = crate::cloud::auth::ATTRIBUTES.contains(&name);
    let keep = matches!(name, "alias" | "region")
        || match origin {
            Origin::Otc => signs_in,
            Origin::Huawei => (signs_in && !OTC_ONLY.contains(&name)) || name == "project_id",
        };
    if keep {
        return Attr::Keep;
    }
    match (origin, name) {
        (Origin::Huawei, "project_name") => Attr::Rename("tenant_name"),
        (Origin::Huawei, "cloud") => Attr::Drop(
            "the huaweicloud provider's `cloud` is the domain suffix of its endpoints; vpcep takes the VPCEP address from `endpoint`",
        ),
        _ => Attr::Drop("vpcep's provider has no such setting"),
    }
}
