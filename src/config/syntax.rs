//! The parsed configuration as vpcep keeps it: bodies, blocks and attributes with the spans
//! messages point at, literal values as values, and every other expression as hcl-edit parsed
//! it.
//!
//! hcl-edit's tree keeps what a formatter needs (whitespace, comments, each node's decor),
//! about 300 bytes a structure and 130 an expression: a configuration of 10,000 services took
//! 66 MB, 15 times its text. Here a parsed piece is turned into this form as soon as it is
//! parsed, and hcl-edit's tree of it is dropped. Literals (most of a large configuration) are
//! the values they say; only expressions that refer to something or compute something keep
//! their hcl-edit form, for the reference checks, the budget and hcl-rs's evaluation.

use super::budget::MAX_DEPTH;
use crate::model::Value;
use compact_str::CompactString;
use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::BlockLabel;
use std::ops::Range;

/// The attributes and blocks of a file or of a block, in source order.
#[derive(Debug, Default)]
pub(crate) struct Body {
    structures: Vec<Structure>,
}

#[derive(Debug)]
pub(crate) enum Structure {
    Attribute(Attribute),
    Block(Block),
}

#[derive(Debug)]
pub(crate) struct Attribute {
    pub key: Ident,
    pub value: Expr,
}

#[derive(Debug)]
pub(crate) struct Block {
    pub ident: Ident,
    pub labels: Vec<Ident>,
    pub body: Body,
}

/// A name (an attribute's key, a block's type, a label) and where it is written; names of up
/// to 24 bytes (nearly all) are held inline.
#[derive(Debug)]
pub(crate) struct Ident {
    name: CompactString,
    span: Span,
}

/// Where something is written: byte offsets into its (piece of a) file, which is far
/// smaller than 4 GiB (see [`crate::fsio::MAX_CONFIG_FILE`]); a third of `Option<Range>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// No place (an expression hcl-edit made up, or an offset too large to keep).
    const NONE: Span = Span {
        start: u32::MAX,
        end: u32::MAX,
    };

    fn of(range: Option<Range<usize>>) -> Span {
        range
            .and_then(|r| {
                Some(Span {
                    start: u32::try_from(r.start).ok()?,
                    end: u32::try_from(r.end).ok()?,
                })
            })
            .filter(|s| *s != Span::NONE)
            .unwrap_or(Span::NONE)
    }

    pub(crate) fn get(self) -> Option<Range<usize>> {
        (self != Span::NONE).then_some(self.start as usize..self.end as usize)
    }
}

/// An expression: a literal, or anything else as hcl-edit parsed it.
#[derive(Debug)]
pub(crate) enum Expr {
    Lit(Lit),
    Hcl(Box<Expression>),
}

/// A literal value (`"text"`, `443`, `true`, `null`, and lists and objects of literals),
/// with the spans of its parts.
#[derive(Debug)]
pub(crate) struct Lit {
    pub kind: LitKind,
    pub span: Span,
}

#[derive(Debug)]
pub(crate) enum LitKind {
    Null,
    Bool(bool),
    Number(hcl::Number),
    String(CompactString),
    Array(Box<[Lit]>),
    /// Keys with the span of each key (a name, or a quoted string).
    Object(Box<[(Ident, Lit)]>),
}

impl Body {
    pub(crate) fn get_attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.key.as_str() == key)
    }

    pub(crate) fn has_attribute(&self, key: &str) -> bool {
        self.get_attribute(key).is_some()
    }

    pub(crate) fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.structures.iter().filter_map(|s| match s {
            Structure::Attribute(a) => Some(a),
            Structure::Block(_) => None,
        })
    }

    pub(crate) fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.structures.iter().filter_map(|s| match s {
            Structure::Block(b) => Some(b),
            Structure::Attribute(_) => None,
        })
    }

    pub(crate) fn get_blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> {
        self.blocks().filter(move |b| b.ident.as_str() == ident)
    }

    /// hcl-edit's `body` in this form (hcl-edit's tree is dropped as it goes).
    pub(crate) fn from_hcl(body: hcl::edit::structure::Body) -> Body {
        let mut structures = Vec::with_capacity(body.len());
        for structure in body {
            structures.push(match structure {
                hcl::edit::structure::Structure::Attribute(attr) => {
                    Structure::Attribute(Attribute {
                        key: Ident {
                            span: Span::of(attr.key.span()),
                            name: attr.key.as_str().into(),
                        },
                        value: Expr::from_hcl(attr.value),
                    })
                }
                hcl::edit::structure::Structure::Block(block) => Structure::Block(Block {
                    ident: Ident {
                        span: Span::of(block.ident.span()),
                        name: block.ident.as_str().into(),
                    },
                    labels: block
                        .labels
                        .iter()
                        .map(|l| Ident {
                            span: Span::of(l.span()),
                            name: match l {
                                BlockLabel::Ident(i) => i.as_str().into(),
                                BlockLabel::String(s) => s.as_str().into(),
                            },
                        })
                        .collect(),
                    body: Body::from_hcl(block.body),
                }),
            });
        }
        Body { structures }
    }
}

impl<'a> IntoIterator for &'a Body {
    type Item = &'a Structure;
    type IntoIter = std::slice::Iter<'a, Structure>;

    fn into_iter(self) -> Self::IntoIter {
        self.structures.iter()
    }
}

impl Ident {
    pub(crate) fn as_str(&self) -> &str {
        &self.name
    }

    pub(crate) fn span(&self) -> Option<Range<usize>> {
        self.span.get()
    }
}

impl std::fmt::Display for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl Expr {
    /// `expr` as a literal when it is one (nesting no deeper than the budget allows), else
    /// kept as parsed.
    pub(crate) fn from_hcl(expr: Expression) -> Expr {
        match Lit::of(&expr, 1) {
            Some(lit) => Expr::Lit(lit),
            None => Expr::Hcl(Box::new(expr)),
        }
    }

    pub(crate) fn span(&self) -> Option<Range<usize>> {
        match self {
            Expr::Lit(lit) => lit.span.get(),
            Expr::Hcl(expr) => expr.span(),
        }
    }

    /// The expression as parsed, when it is not a literal.
    pub(crate) fn hcl(&self) -> Option<&Expression> {
        match self {
            Expr::Lit(_) => None,
            Expr::Hcl(expr) => Some(expr),
        }
    }
}

/// The longest string literal read as it is: longer ones are evaluated by hcl-rs, which
/// checks them against the value budget.
pub(crate) const LONGEST_LITERAL: usize = 4096;

impl Lit {
    /// `expr` as a literal, `depth` levels down; `None` when it is not one, or nests deeper
    /// than [`MAX_DEPTH`] (the depth check then reports it as parsed).
    fn of(expr: &Expression, depth: usize) -> Option<Lit> {
        if depth > MAX_DEPTH {
            return None;
        }
        let kind = match expr {
            Expression::Null(_) => LitKind::Null,
            Expression::Bool(b) => LitKind::Bool(*b.value()),
            Expression::Number(n) => LitKind::Number(*n.value()),
            Expression::String(s) if s.len() <= LONGEST_LITERAL => {
                LitKind::String(s.as_str().into())
            }
            Expression::Array(items) => LitKind::Array(
                items
                    .iter()
                    .map(|item| Lit::of(item, depth + 1))
                    .collect::<Option<_>>()?,
            ),
            Expression::Object(object) => LitKind::Object(
                object
                    .iter()
                    .map(|(key, value)| {
                        let key = match key {
                            ObjectKey::Ident(ident) => Ident {
                                span: Span::of(ident.span()),
                                name: ident.as_str().into(),
                            },
                            ObjectKey::Expression(Expression::String(s))
                                if s.len() <= LONGEST_LITERAL =>
                            {
                                Ident {
                                    span: Span::of(key.span()),
                                    name: s.as_str().into(),
                                }
                            }
                            ObjectKey::Expression(_) => return None,
                        };
                        Some((key, Lit::of(value.expr(), depth + 1)?))
                    })
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        };
        Some(Lit {
            kind,
            span: Span::of(expr.span()),
        })
    }

    /// The literal as a value (an object's repeated key keeps its first place and last value,
    /// as evaluating the object does).
    pub(crate) fn value(&self) -> Value {
        match &self.kind {
            LitKind::Null => Value::Null,
            LitKind::Bool(b) => Value::Bool(*b),
            LitKind::Number(n) => super::convert::from_hcl(hcl::Value::Number(*n)),
            LitKind::String(s) => Value::String(s.to_string().into()),
            LitKind::Array(items) => Value::List(items.iter().map(Lit::value).collect()),
            LitKind::Object(entries) => {
                let mut map = crate::model::Map::with_capacity(entries.len());
                for (key, value) in entries {
                    map.insert(key.as_str(), value.value());
                }
                Value::map(map)
            }
        }
    }

    /// How deep the literal nests (as [`super::budget::depth`] counts).
    pub(crate) fn depth(&self) -> usize {
        1 + match &self.kind {
            LitKind::Array(items) => items.iter().map(Lit::depth).max().unwrap_or(0),
            LitKind::Object(entries) => entries.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Body {
        Body::from_hcl(hcl::edit::parser::parse_body(text).expect("valid"))
    }

    #[test]
    fn literals_are_values_and_the_rest_stays_as_parsed() {
        let body = parse(
            "a = \"x\"\nb = [1, true, null, { k = \"v\", \"q r\" = 2.5 }]\nc = var.x\nd = \"${var.x}\"\ne = { (var.k) = 1 }\n",
        );
        let value = |name: &str| match &body.get_attribute(name).expect("attribute").value {
            Expr::Lit(lit) => Some(lit.value().to_string()),
            Expr::Hcl(_) => None,
        };
        assert_eq!(value("a").as_deref(), Some("\"x\""));
        assert_eq!(
            value("b").as_deref(),
            Some("[1, true, null, { k = \"v\", q r = 2.5 }]")
        );
        assert_eq!(value("c"), None);
        assert_eq!(value("d"), None);
        assert_eq!(value("e"), None);
    }

    /// A literal's depth is what the budget counts for the same expression as parsed, and a
    /// literal deeper than the budget stays as parsed (for the depth check to report).
    #[test]
    fn depth_is_the_budgets() {
        for text in [
            "1",
            "[]",
            "{}",
            "[[1], 2]",
            "{ a = [1, { b = 2 }] }",
            "{ \"k\" = 1 }",
            "[[[[]]]]",
        ] {
            let expr: Expression = text.parse().expect("valid");
            let Expr::Lit(lit) = Expr::from_hcl(expr.clone()) else {
                panic!("{text} is a literal");
            };
            assert_eq!(lit.depth(), super::super::budget::depth(&expr), "{text}");
        }
        // (The parser refuses nesting past 64 levels; the budget allows 128.)
        let nested: Expression = "[[1]]".parse().expect("valid");
        assert!(Lit::of(&nested, MAX_DEPTH - 2).is_some());
        assert!(Lit::of(&nested, MAX_DEPTH - 1).is_none());
    }

    /// Most of a large configuration is these: each byte here is ~100 KB per 10,000 services.
    #[test]
    fn the_tree_is_compact() {
        assert_eq!(size_of::<Span>(), 8);
        assert_eq!(size_of::<Ident>(), 32);
        assert_eq!(size_of::<Lit>(), 32);
        assert_eq!(size_of::<Attribute>(), 64);
    }
}
