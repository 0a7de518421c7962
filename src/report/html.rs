//! One self-contained HTML page for a compliance lead: the summary, a permitted-use heatmap
//! (models x permissions, coloured by status), each model's evidence and findings on demand,
//! and filters by group and license.
//!
//! The page loads nothing: styles and the small filter script are inline, and a Content
//! Security Policy forbids any other source. Every scanned string is escaped.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::audit::{grouped, Summary};
use crate::db::Db;
use crate::matrix::Permission;

use super::{aup_label, scale_label, Report};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2430;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.75rem 0 .5rem}
.muted{color:#5b6472}.cards{display:flex;gap:.75rem;flex-wrap:wrap;margin:.75rem 0}
.card{border:1px solid #d7dce3;border-radius:8px;padding:.6rem .9rem;min-width:8.5rem}
.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #e1e5ea;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8;position:sticky;top:0}
td.s{text-align:center;font-weight:600;white-space:nowrap}
.allowed{background:#d8f3dc;color:#1b4332}.conditional{background:#fff3bf;color:#5c4400}
.forbidden{background:#ffd6d6;color:#7a1414}.unknown{background:#e3e6ea;color:#333}
.g-permissive{color:#1b4332}.g-conditional{color:#5c4400}.g-restricted{color:#7a1414}.g-unknown{color:#333}
details{margin:.2rem 0}summary{cursor:pointer;color:#1d4ed8}
.filters{margin:.5rem 0;display:flex;gap:1rem;align-items:center}
code{background:#f4f6f8;padding:0 .25rem;border-radius:4px}
ul{margin:.25rem 0 .25rem 1.25rem;padding:0}
";

const SCRIPT: &str = "
(function(){
  var g=document.getElementById('f-group'),l=document.getElementById('f-license');
  function apply(){
    var rows=document.querySelectorAll('tr.model');
    for(var i=0;i<rows.length;i++){
      var r=rows[i],ok=(g.value===''||r.getAttribute('data-group')===g.value)&&
        (l.value===''||(' '+r.getAttribute('data-licenses')+' ').indexOf(' '+l.value+' ')>=0);
      r.hidden=!ok;var d=document.getElementById(r.getAttribute('data-detail'));if(d){d.hidden=!ok;}
    }
  }
  g.addEventListener('change',apply);l.addEventListener('change',apply);
})();
";

/// Writes `report` (with its `summary`) as one HTML page.
pub fn render(report: &Report, summary: &Summary, db: &Db, out: &mut dyn Write) -> io::Result<()> {
    let mut h = String::with_capacity(16 * 1024 + report.models.len() * 2048);
    let title = format!("model-license: {} models", report.models.len());
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(&title)
    );
    let _ = writeln!(
        h,
        "<h1>What these models allow</h1><p class=\"muted\">{} {} &middot; {} models, {} targets that could not be read. \
         <b>unknown</b> is never a permission: a human has to read it.</p>",
        escape(&report.tool.name),
        escape(&report.tool.version),
        summary.models,
        summary.errors
    );
    // Summary cards, one per group.
    h.push_str("<div class=\"cards\">");
    for (group, label) in [
        ("permissive", "permissive"),
        ("conditional", "conditional"),
        ("restricted", "restricted"),
        ("unknown", "need review"),
    ] {
        let n = summary
            .groups
            .iter()
            .find(|(g, _)| g.as_str() == group)
            .map_or(0, |(_, n)| *n);
        let _ = write!(h, "<div class=\"card g-{group}\"><b>{n}</b>{label}</div>");
    }
    h.push_str("</div>\n");
    let _ = write!(h, "<h2>Per license</h2><p>");
    let licenses: Vec<String> = summary
        .licenses
        .iter()
        .map(|(k, n)| format!("<code>{}</code> {n}", escape(k)))
        .collect();
    h.push_str(&licenses.join(" &middot; "));
    h.push_str("</p>\n");
    if !summary.findings.is_empty() {
        h.push_str("<h2>Top findings</h2><p>");
        let top: Vec<String> = summary
            .findings
            .iter()
            .take(8)
            .map(|(c, n)| format!("<code>{}</code> {n}", escape(c)))
            .collect();
        h.push_str(&top.join(" &middot; "));
        h.push_str("</p>\n");
    }
    if let Some(p) = &summary.policy {
        let _ = write!(
            h,
            "<h2>Policy <code>{}</code>: {}</h2><p>{} models pass, {} fail</p><ul>",
            escape(&p.file),
            escape(&p.outcome),
            p.passed,
            p.failed
        );
        for (code, r) in &p.rules {
            let _ = write!(
                h,
                "<li><code>{}</code>: {} failed, {} warned</li>",
                escape(code),
                r.failed,
                r.warned
            );
        }
        h.push_str("</ul>\n");
    }
    // Filters.
    h.push_str("<h2>Permitted use</h2><div class=\"filters\"><label>Group <select id=\"f-group\"><option value=\"\">all</option>");
    for g in ["permissive", "conditional", "restricted", "unknown"] {
        let _ = write!(h, "<option value=\"{g}\">{g}</option>");
    }
    h.push_str(
        "</select></label><label>License <select id=\"f-license\"><option value=\"\">all</option>",
    );
    for k in summary.licenses.keys() {
        let k = escape(k);
        let _ = write!(h, "<option value=\"{k}\">{k}</option>");
    }
    h.push_str("</select></label></div>\n");
    // Heatmap.
    h.push_str("<table><thead><tr><th>model</th><th>license</th><th>group</th>");
    for p in Permission::ALL {
        let _ = write!(h, "<th>{}</th>", p.label());
    }
    h.push_str("<th>scale</th><th>AUP</th></tr></thead><tbody>\n");
    for (i, v) in report.models.iter().enumerate() {
        let (group, reasons) = grouped(db, v);
        let license = v.license.as_ref().map_or("none", |l| l.key.as_str());
        let keys = if v.licenses.is_empty() {
            "none".to_string()
        } else {
            v.licenses.join(" ")
        };
        let shown = v.name.as_deref().unwrap_or(&v.target);
        let _ = write!(
            h,
            "<tr class=\"model\" data-group=\"{}\" data-licenses=\"{}\" data-detail=\"d{i}\"><td title=\"{}\">{}</td><td><code>{}</code></td><td class=\"g-{}\">{}</td>",
            group.as_str(),
            escape(&keys),
            escape(&v.target),
            escape(shown),
            escape(license),
            group.as_str(),
            group.as_str()
        );
        for p in Permission::ALL {
            let status = v.matrix.get(p).status.as_str();
            let _ = write!(h, "<td class=\"s {status}\">{status}</td>");
        }
        let _ = writeln!(
            h,
            "<td>{}</td><td>{}</td></tr>",
            escape(&scale_label(v)),
            escape(&aup_label(v))
        );
        // Evidence and findings, on demand.
        let _ = write!(
            h,
            "<tr id=\"d{i}\"><td colspan=\"10\"><details><summary>evidence, conditions and findings of {}</summary>",
            escape(shown)
        );
        let _ = write!(
            h,
            "<p class=\"muted\">target <code>{}</code></p>",
            escape(&v.target)
        );
        if !reasons.is_empty() {
            h.push_str("<p><b>To read:</b></p><ul>");
            for r in &reasons {
                let _ = write!(h, "<li>{}</li>", escape(r));
            }
            h.push_str("</ul>");
        }
        h.push_str("<p><b>Conditions</b></p><ul>");
        for p in Permission::ALL {
            for c in &v.matrix.get(p).conditions {
                let _ = write!(h, "<li>{}: {}</li>", p.label(), escape(c));
            }
        }
        h.push_str("</ul><p><b>Evidence</b></p><ul>");
        for e in &v.evidence {
            let place = match (&e.path, e.line) {
                (Some(p), Some(l)) => format!("{p}:{l}"),
                (Some(p), None) => p.clone(),
                _ => String::new(),
            };
            let _ = write!(
                h,
                "<li><code>{}</code> {} {}</li>",
                escape(&place),
                escape(e.license.as_deref().unwrap_or("no license identified")),
                escape(e.raw.as_deref().unwrap_or(""))
            );
        }
        h.push_str("</ul>");
        if !v.findings.is_empty() {
            h.push_str("<p><b>Findings</b></p><ul>");
            for f in &v.findings {
                let _ = write!(
                    h,
                    "<li><code>{}</code> {}</li>",
                    f.code.as_str(),
                    escape(&f.message)
                );
            }
            h.push_str("</ul>");
        }
        h.push_str("</details></td></tr>\n");
    }
    h.push_str("</tbody></table>\n");
    if !report.errors.is_empty() {
        h.push_str("<h2>Targets that could not be read</h2><ul>");
        for e in &report.errors {
            let _ = write!(
                h,
                "<li><code>{}</code>: {}</li>",
                escape(&e.target),
                escape(&e.message)
            );
        }
        h.push_str("</ul>\n");
    }
    let _ = writeln!(h, "<script>{SCRIPT}</script></body></html>");
    out.write_all(h.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanned_strings_cannot_become_markup() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)>\"'&"),
            "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}[31m"), "ab[31m");
    }
}
