//! IP address functions: `cidrhost cidrsubnet` (IPv4, as VPC subnets are).

// hcl-rs calls functions through `fn(FuncArgs) -> ...` pointers: arguments come by value.
#![allow(clippy::needless_pass_by_value)]

use super::{want_f64, want_str};
use hcl::Value;
use hcl::eval::FuncArgs;
use std::net::Ipv4Addr;

/// `a.b.c.d/n` as (network address, prefix length).
fn prefix(text: &str) -> Result<(u32, u32), String> {
    let (ip, len) = text
        .split_once('/')
        .ok_or_else(|| format!("\"{text}\" is not a CIDR prefix such as \"10.0.0.0/16\""))?;
    let ip: Ipv4Addr = ip.parse().map_err(|_| {
        if ip.contains(':') {
            format!("\"{text}\" is an IPv6 prefix; vpcep's network functions take IPv4")
        } else {
            format!("\"{ip}\" is not an IPv4 address")
        }
    })?;
    let len: u32 = len
        .parse()
        .ok()
        .filter(|l| *l <= 32)
        .ok_or_else(|| format!("\"{text}\" has an invalid prefix length"))?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Ok((u32::from(ip) & mask, len))
}

fn whole(v: &Value, what: &str) -> Result<i64, String> {
    let f = want_f64(v, what)?;
    if f.fract() != 0.0 || f.abs() > 9.0e15 {
        return Err(format!("{what} must be a whole number, got {f}"));
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(f as i64)
}

/// `cidrhost("10.0.0.0/24", 5)` = `"10.0.0.5"`; a negative number counts from the end.
pub(super) fn cidrhost(args: FuncArgs) -> Result<Value, String> {
    let (net, len) = prefix(want_str(&args[0], "the prefix")?)?;
    let n = whole(&args[1], "the host number")?;
    let size = 1i64 << (32 - len);
    let host = if n < 0 { size + n } else { n };
    if host < 0 || host >= size {
        return Err(format!(
            "host number {n} does not fit in a /{len} prefix ({size} addresses)"
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(Value::String(Ipv4Addr::from(net + host as u32).to_string()))
}

/// `cidrsubnet("10.0.0.0/16", 8, 2)` = `"10.0.2.0/24"`.
pub(super) fn cidrsubnet(args: FuncArgs) -> Result<Value, String> {
    let (net, len) = prefix(want_str(&args[0], "the prefix")?)?;
    let bits = whole(&args[1], "the number of new bits")?;
    let num = whole(&args[2], "the subnet number")?;
    let new_len = i64::from(len) + bits;
    if bits < 0 || new_len > 32 {
        return Err(format!(
            "a /{len} prefix cannot be extended by {bits} bits (at most {} more)",
            32 - len
        ));
    }
    if num < 0 || num >= (1i64 << bits) {
        return Err(format!(
            "subnet number {num} does not fit in {bits} new bits"
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (new_len, num) = (new_len as u32, num as u32);
    let subnet = net | num.checked_shl(32 - new_len).unwrap_or(0);
    Ok(Value::String(format!(
        "{}/{new_len}",
        Ipv4Addr::from(subnet)
    )))
}

/// `cidrnetmask("172.16.0.0/12")` = `"255.240.0.0"`.
pub(super) fn cidrnetmask(args: FuncArgs) -> Result<Value, String> {
    let (_, len) = prefix(want_str(&args[0], "the prefix")?)?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Ok(Value::String(Ipv4Addr::from(mask).to_string()))
}

/// `cidrsubnets("10.1.0.0/16", 4, 4, 8)` = consecutive subnets of those new bits, each
/// aligned after the previous one, as Terraform allocates them.
pub(super) fn cidrsubnets(args: FuncArgs) -> Result<Value, String> {
    let (net, len) = prefix(want_str(&args[0], "the prefix")?)?;
    let mut free: u64 = u64::from(net);
    let end = u64::from(net) + (1u64 << (32 - len));
    let mut out = Vec::new();
    for (i, bits) in args.iter().skip(1).enumerate() {
        let bits = whole(bits, &format!("new bits #{}", i + 1))?;
        let new_len = i64::from(len) + bits;
        if bits < 1 || new_len > 32 {
            return Err(format!(
                "a /{len} prefix cannot be extended by {bits} bits (1 to {} more)",
                32 - len
            ));
        }
        let size = 1u64 << (32 - new_len);
        let start = free.div_ceil(size) * size;
        if start + size > end {
            return Err(format!(
                "not enough room in the /{len} prefix for subnet #{} (/{new_len})",
                i + 1
            ));
        }
        #[allow(clippy::cast_possible_truncation)]
        out.push(Value::String(format!(
            "{}/{new_len}",
            Ipv4Addr::from(start as u32)
        )));
        free = start + size;
    }
    Ok(Value::Array(out))
}
