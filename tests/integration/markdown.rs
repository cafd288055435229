//! The markdown plan as GitHub shows it: rendered by a real CommonMark/GFM renderer
//! (pulldown-cmark with GitHub's extensions), the HTML is checked — the directory named,
//! refusal details kept as code (their `-`/`+` not turned into bullets), refused rows marked,
//! replacements explained, the graph drawn — and a plan longer than one comment is split
//! into numbered comments, none over GitHub's limit and nothing left out.

use super::harness::{Workspace, services_hcl};
use pulldown_cmark::{Options, Parser, html};

/// GitHub's flavour, as far as pulldown-cmark has it.
fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

/// The code blocks of `html` in `lang`, their text unescaped enough to search.
fn code_blocks<'a>(html: &'a str, lang: &str) -> Vec<&'a str> {
    let open = format!("<pre><code class=\"language-{lang}\">");
    html.split(open.as_str())
        .skip(1)
        .map(|rest| rest.split("</code></pre>").next().unwrap_or_default())
        .collect()
}

/// The table row of `address` (as it appears in the HTML).
fn row<'a>(html: &'a str, address: &str) -> &'a str {
    let table = html.split("<table>").nth(1).unwrap_or_default();
    let table = table.split("</table>").next().unwrap_or_default();
    table
        .split("<tr>")
        .skip(1)
        .find(|r| r.contains(&format!("<code>{address}</code>")))
        .unwrap_or_else(|| panic!("no row for {address} in:\n{html}"))
}

#[test]
fn github_renders_refusals_as_code_marks_refused_rows_and_names_the_directory() {
    let ws = Workspace::new();
    std::fs::create_dir(ws.path().join(".git")).unwrap();
    std::fs::create_dir_all(ws.path().join("envs/prod")).unwrap();
    let config =
        std::fs::read_to_string(super::harness::repo_root().join("testdata/graph/config/main.hcl"))
            .unwrap();
    ws.write("envs/prod/main.hcl", &config);
    let run = |args: &[&str], code: i32| {
        let mut all = vec!["-C", "envs/prod"];
        all.extend(args);
        ws.expect(&all, code)
    };
    run(&["apply", "--auto-approve"], 0);
    // An update (a tag), a refused change (a port mapping), a create, and a replacement.
    let edited = config
        .replace("    \"orders\" = 8080", "    \"orders\" = 8090")
        .replace(
            "  port_id     = \"11111111-2222-4333-8444-555555555556\"",
            "  port_id     = \"11111111-2222-4333-8444-555555555556\"\n  tags        = { team = \"audit\" }",
        )
        + "\nresource \"vpcep_service\" \"fresh\" {\n  server_type = \"LB\"\n  port_id = \"fresh-port\"\n  vpc_id = \"vpc-9\"\n  port {\n    server_port = 1\n    client_port = 1\n  }\n}\n";
    ws.write("envs/prod/main.hcl", &edited);
    let out = run(
        &[
            "plan",
            "--format",
            "markdown",
            "--replace",
            "vpcep_service.api[\"stock\"]",
        ],
        1,
    );
    let html = render(&out.stdout);

    // The heading names the directory inside the repository, and the state.
    let heading = html.split("</h3>").next().unwrap();
    assert!(heading.starts_with("<h3>"), "{html}");
    assert!(heading.contains("<code>envs/prod</code>"), "{heading}");
    assert!(heading.contains("Refused"), "{heading}");
    assert!(html.contains("<code>vpcep.state.json</code>"), "{html}");

    // The refusal's recorded and configured mappings stay code, signs and all.
    let refusal = code_blocks(&html, "diff")
        .into_iter()
        .find(|b| b.contains("configured mappings"))
        .unwrap_or_else(|| panic!("no refusal details block in:\n{html}"));
    assert!(refusal.contains("\n- TCP 80 -&gt; 8080\n"), "{refusal}");
    assert!(refusal.contains("\n+ TCP 80 -&gt; 8090"), "{refusal}");
    assert!(
        !html.contains("<li>TCP 80"),
        "mappings became bullets:\n{html}"
    );

    // The refused row is marked; the others are not; the replacement says why.
    let refused = row(&html, "vpcep_service.api[\"orders\"]");
    assert!(
        refused.contains("⛔") && refused.contains("<strong>refused</strong>"),
        "{refused}"
    );
    let fine = row(&html, "vpcep_service.audit");
    assert!(
        !fine.contains("refused") && fine.contains("update"),
        "{fine}"
    );
    let replaced = row(&html, "vpcep_service.api[\"stock\"]");
    assert!(
        replaced.contains("replace") && replaced.contains("requested with --replace"),
        "{replaced}"
    );
    let cascaded = row(&html, "vpcep_endpoint.to[\"stock\"]");
    assert!(
        cascaded.contains("<code>service_id</code> cannot change in place"),
        "{cascaded}"
    );
    assert!(row(&html, "vpcep_service.fresh").contains("create"));

    // Each diff is a diff block in a fold; a graph of the changes is drawn.
    assert!(
        html.contains("<details><summary><code>vpcep_service.audit</code>"),
        "{html}"
    );
    assert!(
        html.contains("Full diff (unchanged attributes too)"),
        "{html}"
    );
    let diffs = code_blocks(&html, "diff");
    assert!(diffs.iter().any(|d| d.contains("!       tags")), "{html}");
    let graph = code_blocks(&html, "mermaid");
    assert_eq!(graph.len(), 1, "{html}");
    assert!(graph[0].starts_with("flowchart LR"), "{}", graph[0]);
    assert!(
        graph[0].contains("class n") && graph[0].contains(" refused"),
        "{}",
        graph[0]
    );
    assert_eq!(
        html.matches("<details>").count(),
        html.matches("</details>").count()
    );
}

#[test]
fn a_plan_longer_than_a_comment_is_split_into_numbered_comments_with_nothing_left_out() {
    let ws = Workspace::new();
    let n = 400;
    let services = services_hcl("s", n).replace(
        "approval_enabled = false",
        &format!(
            "approval_enabled = false\n  description = \"{}\"",
            "d".repeat(120)
        ),
    );
    ws.write(
        "main.hcl",
        &format!("provider \"sim\" {{\n  quota_services = 1000\n}}\n{services}"),
    );
    let out = ws.expect(
        &["plan", "--format", "markdown", "--out-dir", "comments"],
        0,
    );
    assert!(
        out.stderr.contains("comments to comments"),
        "{}",
        out.stderr
    );
    let mut files: Vec<_> = std::fs::read_dir(ws.path().join("comments"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort_by_key(|f| {
        f.trim_start_matches("comment-")
            .trim_end_matches(".md")
            .parse::<usize>()
            .unwrap()
    });
    let count = files.len();
    assert!(count > 2, "{files:?}");
    let mut all = String::new();
    for (i, file) in files.iter().enumerate() {
        assert_eq!(file, &format!("comment-{}.md", i + 1));
        let text = ws.read(&format!("comments/{file}"));
        assert!(
            text.chars().count() <= 65_536,
            "{file} is {} long",
            text.len()
        );
        assert!(
            text.starts_with("### vpcep plan in `")
                && text.contains(&format!("(comment {} of {count})", i + 1)),
            "{file}: {}",
            text.lines().next().unwrap_or_default()
        );
        // Every comment stands alone: its folds and code blocks are closed.
        let html = render(&text);
        assert_eq!(
            html.matches("<details>").count(),
            html.matches("</details>").count(),
            "{file}"
        );
        assert_eq!(text.matches("```").count() % 2, 0, "{file}");
        all.push_str(&text);
    }
    for i in 0..n {
        let address = format!("`vpcep_service.s{i}`");
        assert!(
            all.contains(&format!("| {address} | ➕ create")),
            "no row for {address}"
        );
        assert!(
            all.contains(&format!("<code>vpcep_service.s{i}</code>")),
            "no diff for {address}"
        );
    }
    // Without --out-dir the comments are printed one after the other, and a note says so.
    let printed = ws.expect(&["plan", "--format", "markdown"], 0);
    assert!(
        printed
            .stderr
            .contains(&format!("this plan is {count} GitHub comments long")),
        "{}",
        printed.stderr
    );
    assert_eq!(
        printed
            .stdout
            .matches("<!-- vpcep: the next comment starts here -->")
            .count(),
        count - 1
    );
    // A second, shorter plan replaces the comments of the first.
    ws.write("main.hcl", &services_hcl("s", 2));
    ws.expect(
        &["plan", "--format", "markdown", "--out-dir", "comments"],
        0,
    );
    assert_eq!(
        std::fs::read_dir(ws.path().join("comments"))
            .unwrap()
            .count(),
        1
    );

    // A saved plan's comments are written the same way.
    ws.expect(&["plan", "--out", "p.plan"], 0);
    ws.expect(
        &[
            "show",
            "p.plan",
            "--format",
            "markdown",
            "--out-dir",
            "saved",
        ],
        0,
    );
    let saved = ws.read("saved/comment-1.md");
    assert!(saved.starts_with("### vpcep plan in `"), "{saved}");
    assert!(saved.contains("`vpcep_service.s1`"), "{saved}");

    // --out-dir is for markdown only, and not for apply.
    let wrong = ws.expect(&["plan", "--out-dir", "x"], 1);
    assert!(
        wrong.stderr.contains("use it with `--format markdown`"),
        "{}",
        wrong.stderr
    );
    let apply = ws.expect(&["apply", "--auto-approve", "--out-dir", "x"], 1);
    assert!(
        apply.stderr.contains("`--out-dir` would do nothing"),
        "{}",
        apply.stderr
    );
}
