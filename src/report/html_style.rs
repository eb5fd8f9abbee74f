//! The HTML report's one stylesheet, inlined so the file stands alone (no external assets).

pub(super) const STYLE: &str = r#"
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--skip:#6e7781;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}
header{background:linear-gradient(135deg,#0b2545,#13315c);color:#fff;padding:28px 40px}
header .brand{font-size:13px;letter-spacing:.12em;text-transform:uppercase;opacity:.75}
header h1{margin:4px 0 14px;font-size:26px;font-weight:600}
.verdict{display:inline-block;padding:4px 12px;border-radius:999px;font-weight:600;font-size:13px;vertical-align:middle;margin-left:10px}
.verdict.pass{background:#dafbe1;color:var(--ok)}.verdict.fail{background:#ffebe9;color:var(--bad)}.verdict.warn{background:#fff8c5;color:var(--warn)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0;font-size:13px}dl.meta dt{opacity:.7}dl.meta dd{margin:0;word-break:break-all}
.cards{display:flex;gap:12px;margin:20px 40px}.card{flex:1;border:1px solid var(--line);border-radius:8px;padding:12px 16px;background:#fff}
.card b{display:block;font-size:24px}.card.ok b{color:var(--ok)}.card.bad b{color:var(--bad)}.card.warn b{color:var(--warn)}.card.skip b{color:var(--skip)}
main{padding:0 40px 40px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:var(--bg)}
td.n{text-align:right;font-variant-numeric:tabular-nums}a{color:#0969da;text-decoration:none}
section.scenario{margin-top:28px;border:1px solid var(--line);border-radius:8px;overflow:hidden}
section.scenario>h2{margin:0;padding:12px 16px;font-size:17px;background:var(--bg);border-bottom:1px solid var(--line)}
section.scenario>h2 small{display:block;font-weight:400;font-size:12px;color:var(--muted)}
.badge{display:inline-block;min-width:54px;text-align:center;padding:1px 8px;border-radius:4px;font-size:12px;font-weight:600;margin-right:8px}
.badge.pass{background:#dafbe1;color:var(--ok)}.badge.fail{background:#ffebe9;color:var(--bad)}.badge.warn{background:#fff8c5;color:var(--warn)}.badge.skip{background:#eaeef2;color:var(--skip)}
details.step{border-top:1px solid var(--line)}details.step:first-of-type{border-top:0}
details.step>summary{cursor:pointer;padding:8px 16px;list-style:none;display:flex;gap:10px;align-items:baseline}
details.step>summary::-webkit-details-marker{display:none}details.step>summary:before{content:"▸";color:var(--muted)}details.step[open]>summary:before{content:"▾"}
summary .req{margin-left:auto;font:12px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:55%}
.step-body{padding:0 16px 14px 36px}table.checks{table-layout:fixed}.checks col.m{width:22px}.checks col.id{width:30%}.checks col.r{width:22%}.checks code{font-size:12px}
.findings{margin:8px 0 0;padding:0;list-style:none}.findings li{padding:6px 0;border-bottom:1px solid var(--line)}.findings .where{color:var(--muted);font-size:12px}.findings details{display:inline}.findings summary{cursor:pointer;display:inline;color:#0969da}
.notice{margin:20px 40px 0;padding:10px 14px;border:1px solid #d4a72c;background:#fff8c5;border-radius:6px}
.mark-passed{color:var(--ok)}.mark-failed{color:var(--bad)}.mark-warning{color:var(--warn)}.mark-skipped{color:var(--skip)}
.rule{color:var(--muted);font-size:12px}.fix{font-size:12px}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;word-break:break-word;max-height:420px}
pre.diff .add{color:var(--ok);background:#e6ffec;display:block}pre.diff .del{color:var(--bad);background:#ffebe9;display:block}
.legend{display:grid;grid-template-columns:max-content 1fr;gap:6px 14px;align-items:baseline}.legend dd{margin:0}
.badge.rec{background:#ddf4ff;color:#0969da}.mark-recorded{color:#0969da}
.coverage h3{margin:14px 0 4px;font-size:15px}.coverage p{margin:4px 0}.coverage ul{margin:4px 0 8px;padding-left:20px}.coverage .none{color:var(--muted)}
.findings .fix{color:var(--ink)}
header .labels{font-size:15px;opacity:.9;margin:-8px 0 12px}
footer{padding:16px 40px 32px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
@media print{details.step>summary:before{content:""}details::details-content{content-visibility:visible;display:block}details>:not(summary){display:block}pre{max-height:none;overflow:visible}summary .req{white-space:normal;max-width:none}}
"#;
