//! The layout rules, case by case, and the properties every layout keeps.

use super::format;
use crate::diag::SourceFile;

fn fmt(text: &str) -> String {
    format(&SourceFile::new("t.hcl".to_owned(), text.to_owned(), 0)).expect("formats")
}

#[test]
fn indents_by_two_and_aligns_runs_of_attributes() {
    let input = "resource \"vpcep_service\"   \"a\" {\n\tname=\"x\"\n        server_type = \"LB\"\n\n  port {\nserver_port=80\n    client_port   = 80\n  }\n}\n";
    let want = "resource \"vpcep_service\" \"a\" {\n  name        = \"x\"\n  server_type = \"LB\"\n\n  port {\n    server_port = 80\n    client_port = 80\n  }\n}\n";
    assert_eq!(fmt(input), want);
}

#[test]
fn a_value_that_goes_on_breaks_the_run() {
    let input =
        "locals {\n  a = 1\n  tags = {\n    team = \"x\"\n    b = 2\n  }\n  longer_name = 3\n}\n";
    let want = "locals {\n  a = 1\n  tags = {\n    team = \"x\"\n    b    = 2\n  }\n  longer_name = 3\n}\n";
    assert_eq!(fmt(input), want);
}

#[test]
fn comments_are_kept_and_trailing_ones_aligned() {
    let input = "# top\nlocals {\n  # before\n  a = 1 # one\n  bbb = 2    // two\n  /* block\n     stays   as is */\n}\n";
    let want = "# top\nlocals {\n  # before\n  a   = 1 # one\n  bbb = 2 // two\n  /* block\n     stays   as is */\n}\n";
    assert_eq!(fmt(input), want);
}

#[test]
fn one_blank_line_between_blocks_and_never_two() {
    let input =
        "\n\nlocals {\n  a = 1\n}\nlocals {\n  b = 2\n}\n\n\n\n# c\nlocals {\n  c = 3\n}\n\n\n";
    let want = "locals {\n  a = 1\n}\n\nlocals {\n  b = 2\n}\n\n# c\nlocals {\n  c = 3\n}\n";
    assert_eq!(fmt(input), want);
}

#[test]
fn one_line_blocks_in_a_row_stay_together() {
    let input = "resource \"x\" \"y\" {\n  port { server_port = 1 }\n  port { server_port = 2 }\n  lifecycle {\n    prevent_destroy = true\n  }\n  name = \"n\"\n}\n";
    let want = "resource \"x\" \"y\" {\n  port { server_port = 1 }\n  port { server_port = 2 }\n\n  lifecycle {\n    prevent_destroy = true\n  }\n\n  name = \"n\"\n}\n";
    assert_eq!(fmt(input), want);
}

#[test]
fn strings_heredocs_and_interpolations_are_untouched() {
    let input = "locals {\n  s   =   \"a   b ${ \"x   y\" } = #\"\n  h = <<-EOT\n      keep   this\n\n\n   and this  \n    EOT\n  t = \"$${ not } %%{ this }\"\n}\n";
    let want = "locals {\n  s = \"a   b ${ \"x   y\" } = #\"\n  h = <<-EOT\n      keep   this\n\n\n   and this  \n    EOT\n  t = \"$${ not } %%{ this }\"\n}\n";
    assert_eq!(fmt(input), want);
}

#[test]
fn operators_with_an_equals_sign_are_not_attributes() {
    let input = "locals {\n  a = 1 == 2\n  bb = 3 >= 4\n  m = { for k, v in {} : k => v }\n}\n";
    let want = "locals {\n  a  = 1 == 2\n  bb = 3 >= 4\n  m  = { for k, v in {} : k => v }\n}\n";
    assert_eq!(fmt(input), want);
}

#[test]
fn brackets_opened_together_indent_one_level() {
    let input = "locals {\nx = merge({\na = 1\n}, {\nb = 2\n})\n}\n";
    let want = "locals {\n  x = merge({\n    a = 1\n    }, {\n    b = 2\n  })\n}\n";
    assert_eq!(fmt(input), want);
}

#[test]
fn crlf_and_tabs_become_lf_and_spaces() {
    assert_eq!(
        fmt("locals {\r\n\ta\t=\t1\r\n}\r\n"),
        "locals {\n  a = 1\n}\n"
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n"), "");
    assert_eq!(fmt("# only\n"), "# only\n");
}

#[test]
fn a_file_that_does_not_parse_is_an_error_at_its_line() {
    let e = format(&SourceFile::new(
        "bad.hcl".to_owned(),
        "locals {\n  a = \n}\n".to_owned(),
        0,
    ))
    .expect_err("does not parse");
    let shown = crate::diag::render(&e, false);
    assert!(shown.contains("bad.hcl:"), "{shown}");
    assert!(shown.contains("invalid HCL syntax"), "{shown}");
}

/// Seeded random layouts of the same configuration: each formats to a text that formats
/// to itself and means what the input meant.
#[test]
fn any_spacing_of_a_configuration_formats_to_a_fixed_point() {
    let tokens: &[&str] = &[
        "resource",
        "\"vpcep_service\"",
        "\"a\"",
        "{",
        "\n",
        "name",
        "=",
        "\"x  y\"",
        "\n",
        "port_id",
        "=",
        "var.p",
        "# note",
        "\n",
        "tags",
        "=",
        "{",
        "\n",
        "team",
        "=",
        "\"t\"",
        "\n",
        "}",
        "\n",
        "port",
        "{",
        "server_port",
        "=",
        "80",
        "}",
        "\n",
        "}",
        "\n",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..200 {
        let mut text = String::new();
        for t in tokens {
            if *t == "\n" {
                text.push_str(["\n", "\n\n", "\n\n\n", " \n"][(next() % 4) as usize]);
            } else {
                text.push_str(t);
                text.push_str([" ", "  ", "\t", " \t "][(next() % 4) as usize]);
            }
            if t.starts_with('#') {
                text.push('\n');
            }
        }
        let once = fmt(&text);
        assert_eq!(fmt(&once), once, "not idempotent for {text:?}");
        assert_eq!(
            hcl::parse(&text).unwrap(),
            hcl::parse(&once).unwrap(),
            "the meaning changed"
        );
    }
}

/// Found by the fuzz test: a string that goes on past a raw line break lost the spaces
/// before it (the line's trailing spaces were trimmed), which changed its value.
#[test]
fn a_string_that_spans_lines_keeps_its_trailing_spaces() {
    let text = "x = \"a  \nb\"\ny   = 1   \n";
    let once = fmt(text);
    assert!(once.starts_with("x = \"a  \nb\"\n"), "{once:?}");
    assert!(once.ends_with("y = 1\n"), "{once:?}");
    assert_eq!(fmt(&once), once);
}

/// `testdata/fmt/expressions.txt`: each value as written and as `terraform fmt` writes it.
#[test]
fn expressions_are_spaced_as_terraform_spaces_them() {
    let cases = include_str!("../../../testdata/fmt/expressions.txt");
    let mut checked = 0;
    for line in cases.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (input, want) = line
            .split_once(" => ")
            .unwrap_or_else(|| panic!("`{line}` has no ` => `"));
        let got = fmt(&format!("locals {{\n  v = {input}\n}}\n"));
        assert_eq!(got, format!("locals {{\n  v = {want}\n}}\n"), "{input}");
        // Formatting what is formatted changes nothing.
        assert_eq!(fmt(&got), got, "{input}");
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} cases");
}
