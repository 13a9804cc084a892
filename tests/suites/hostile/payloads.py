"""The hostile corpus: text that would run, load or reorder something if any page, form, email or
API door handled it carelessly. Written for Ordo's pages (Django templates, Markdown through
markdown-it and nh3, htmx under a strict CSP, plain-text and HTML email).

Every payload that could execute carries its own name in what it would do: it sets
`window.__ordo_pwned` to its name, calls `alert`/`confirm`/`prompt` with it, or loads
`/__ordo_pwned__/<name>` from the site itself (which the CSP allows: img-src, style-src and
frame-src are 'self'). So a finding names the payload that caused it, and the checks look for
one marker: MARKER.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MARKER = "__ordo_pwned"
MARKER_PATH = f"/{MARKER}__/"


@dataclass(frozen=True)
class Payload:
    name: str
    family: str
    text: str

    @property
    def json_only(self) -> bool:
        """A lone surrogate cannot be sent in a form (it has no UTF-8 form); JSON can carry it."""
        return any(unicodedata.category(char) == "Cs" for char in self.text)


def _payload(name: str, family: str, template: str) -> Payload:
    # «js» is what the payload runs, «url» what it loads: both name the payload.
    js = f"window.{MARKER}='{name}'"
    return Payload(name, family, template.replace("«js»", js).replace("«url»", f"{MARKER_PATH}{name}"))


_CORPUS = [
    # --- Script tags, and the contexts they try to close first ---------------------------------
    ("script-plain", "script", "<script>«js»</script>"),
    ("script-mixed-case", "script", "<ScRiPt>«js»</sCrIpT>"),
    ("script-src", "script", '<script src="«url»"></script>'),
    ("script-after-textarea", "script", "</textarea><script>«js»</script>"),
    ("script-after-title", "script", "</title><script>«js»</script>"),
    ("script-after-double-quote", "script", '"><script>«js»</script>'),
    ("script-after-single-quote", "script", "'><script>«js»</script>"),
    ("script-after-bdi", "script", "</bdi></a></td><script>«js»</script>"),
    ("script-split", "script", "<scr<script>ipt>«js»</scr</script>ipt>"),
    ("script-escaped-once", "script", "&lt;script&gt;«js»&lt;/script&gt;"),
    ("script-after-style", "script", "</style><script>«js»</script>"),
    ("script-after-script", "script", "</script><script>«js»</script>"),
    ("script-unclosed", "script", "<script>«js»"),
    # --- Event handlers, as tags and as attribute break-outs -------------------------------------
    ("img-onerror", "handler", '<img src=x onerror="«js»">'),
    ("svg-onload", "handler", '<svg onload="«js»">'),
    ("body-onload", "handler", '<body onload="«js»">'),
    ("details-ontoggle", "handler", '<details open ontoggle="«js»">x</details>'),
    ("input-autofocus", "handler", '<input autofocus onfocus="«js»">'),
    ("break-double-quote", "handler", '" autofocus onfocus="«js»" x="'),
    ("break-single-quote", "handler", "' autofocus onfocus='window.__ordo_pwned=`break-single-quote`' x='"),
    ("break-unquoted", "handler", "x autofocus onfocus=window.__ordo_pwned=`break-unquoted`"),
    ("video-source", "handler", '<video><source onerror="«js»"></video>'),
    ("iframe-srcdoc", "handler", '<iframe srcdoc="<script>«js»</script>"></iframe>'),
    ("textarea-autofocus", "handler", '<textarea autofocus onfocus="«js»">x</textarea>'),
    ("animation-start", "handler", '<p style="animation:spin 1s" onanimationstart="«js»">x</p>'),
    # --- Same-origin loads, which the CSP would let through ---------------------------------------
    ("img-load", "load", '<img src="«url»">'),
    ("stylesheet", "load", '<link rel="stylesheet" href="«url»">'),
    ("iframe-load", "load", '<iframe src="«url»"></iframe>'),
    ("object-data", "load", '<object data="«url»"></object>'),
    ("embed-src", "load", '<embed src="«url»">'),
    ("base-href", "load", '<base href="«url»/">'),
    ("meta-refresh", "load", '<meta http-equiv="refresh" content="0;url=«url»">'),
    ("style-import", "load", '<style>@import url("«url»");</style>'),
    ("style-background", "load", '<div style="background:url(«url»)">x</div>'),
    ("input-image", "load", '<input type="image" src="«url»">'),
    # --- javascript:, data: and vbscript: URLs, with case and entity tricks ---------------------
    ("js-url", "url", "javascript:«js»"),
    ("js-url-case", "url", "JaVaScRiPt:«js»"),
    ("js-url-entity", "url", "&#106;avascript:«js»"),
    ("js-url-tab", "url", "java\tscript:«js»"),
    ("js-url-colon-entity", "url", "javascript&colon;«js»"),
    ("js-url-leading-control", "url", "\x01javascript:«js»"),
    ("data-url", "url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YS11cmwnKTwvc2NyaXB0Pg=="),
    ("vbscript-url", "url", 'vbscript:msgbox("vbscript-url")'),
    # --- Markdown links and images ---------------------------------------------------------------
    ("md-js-link", "markdown", "[click](javascript:«js»)"),
    ("md-js-link-case", "markdown", "[click](JAVASCRIPT:«js»)"),
    ("md-js-link-entity", "markdown", "[click](&#x6A;avascript:«js»)"),
    ("md-js-link-entity-colon", "markdown", "[click](javascript&#58;«js»)"),
    ("md-js-link-angle", "markdown", "[click](<javascript:«js»>)"),
    ("md-js-link-tab-entity", "markdown", "[click](java&#9;script:«js»)"),
    ("md-js-autolink", "markdown", "<javascript:«js»>"),
    ("md-js-reference", "markdown", "[click][hostile]\n\n[hostile]: javascript:«js»"),
    ("md-data-link", "markdown", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("md-vbscript-link", "markdown", "[click](vbscript:msgbox(1))"),
    ("md-title-break", "markdown", '[click](https://example.com/ "a\\" onmouseover=\\"«js»")'),
    ("md-image", "markdown", "![x](«url»)"),
    ("md-image-js", "markdown", "![x](javascript:«js»)"),
    ("md-image-in-link", "markdown", "[![x](«url»)](https://example.com/)"),
    ("md-image-reference", "markdown", "![x][pic]\n\n[pic]: «url»"),
    ("md-inline-html", "markdown", '**bold** <b onmouseover="«js»">x</b>'),
    ("md-html-block", "markdown", "<div>\n<script>«js»</script>\n</div>"),
    ("md-code-span", "markdown", "`<script>«js»</script>`"),
    ("md-fence", "markdown", "```html\n<script>«js»</script>\n```"),
    ("md-autolink-quote", "markdown", '<https://example.com/"onmouseover="«js»>'),
    # --- SVG and MathML: mutation XSS (what a sanitiser saw is not what the browser builds) ------
    ("svg-style-img", "mxss", '<svg><style><img src=x onerror="«js»"></style></svg>'),
    ("math-mglyph", "mxss", '<math><mtext><table><mglyph><style><img src=x onerror="«js»">'),
    ("svg-xlink", "mxss", '<svg><a xlink:href="javascript:«js»"><text x="0" y="20">x</text></a></svg>'),
    ("noscript-title", "mxss", "<noscript><p title=\"</noscript><img src=x onerror='«js»'>\"></noscript>"),
    ("form-math", "mxss", '<form><math><mtext></form><form><mglyph><style></math><img src onerror="«js»">'),
    ("svg-animate", "mxss", '<svg><animate onbegin="«js»" attributeName="x" dur="1s"></svg>'),
    ("svg-set-href", "mxss", '<svg><a><set attributeName="href" to="javascript:«js»"/><text y="9">x</text></a></svg>'),
    ("math-href", "mxss", '<math href="javascript:«js»">x</math>'),
    ("comment-break", "mxss", '<!--><img src=x onerror="«js»">-->'),
    ("cdata-break", "mxss", '<svg><![CDATA[><img src=x onerror="«js»">]]></svg>'),
    ("svg-foreign-object", "mxss", '<svg><foreignObject><iframe src="«url»"></iframe></foreignObject></svg>'),
    # --- htmx attributes: they would fire on load if they reached the DOM ------------------------
    ("hx-get-load", "htmx", '<div hx-get="«url»" hx-trigger="load">x</div>'),
    ("hx-on", "htmx", '<button hx-on:htmx:load="«js»" hx-get="«url»" hx-trigger="load">x</button>'),
    ("data-hx-get", "htmx", '<div data-hx-get="«url»" data-hx-trigger="load">x</div>'),
    ("hx-break-out", "htmx", '" hx-get="«url»" hx-trigger="load" x="'),
    ("hx-vals-js", "htmx", '<div hx-post="«url»" hx-vals=\'js:{a:«js»}\' hx-trigger="load">x</div>'),
    ("htmx-config", "htmx", '<meta name="htmx-config" content=\'{"allowEval":true,"«js»":1}\'>'),
    # --- Template syntax: shown as typed, never evaluated -----------------------------------------
    ("django-variable", "template", "{{ request.user.email }} {{ 7|add:7 }} {{ settings.SECRET_KEY }}"),
    ("django-tag", "template", "{% debug %}{% csrf_token %}{% load static %}"),
    ("other-templates", "template", "${«js»} #{7*7} <%= 7*7 %> {{=7*7}}"),
    ("angular", "template", "{{constructor.constructor('«js»')()}}"),
    ("format-strings", "template", "{0} {title} {.__class__} %s %(name)s %n %d"),
    # --- Line breaks: refused in single-line fields, kept in multi-line ones ---------------------
    ("crlf-header", "crlf", "Subject line\r\nBcc: hostile@example.com\r\nX-Hostile: yes"),
    ("crlf-body", "crlf", "Hello\r\n\r\n<script>«js»</script>"),
    ("lf-only", "crlf", 'line one\nline two <img src=x onerror="«js»">'),
    ("cr-only", "crlf", "one\rtwo"),
    ("line-separators", "crlf", "one\u2028two\u2029three"),
    ("next-line", "crlf", "one\u0085two"),
    ("percent-crlf", "crlf", "%0d%0aSet-Cookie:%20hostile=1"),
    ("ansi-escape", "crlf", "plain \x1b[31mred\x1b[0m \x07bell"),
    # --- Right-to-left overrides and invisible characters ----------------------------------------
    ("rtl-override", "rtl", "\u202eSHOP-1 kcab"),
    ("rtl-isolate-unclosed", "rtl", "\u2067evil SHOP-99"),
    ("rtl-with-markup", "rtl", 'abc\u202edef <img src=x onerror="«js»">'),
    ("bidi-marks", "rtl", "\u200f\u200eמוצר ﻣﻨﺘﺞ"),
    ("zero-width", "rtl", "ja\u200bvascript:«js» \ufeffBOM"),
    # --- NUL and characters no column can store ----------------------------------------------------
    ("nul", "nul", "before\x00after"),
    ("nul-in-tag", "nul", "<scr\x00ipt>«js»</script>"),
    ("nul-in-url", "nul", "java\x00script:«js»"),
    ("lone-surrogate", "nul", "half \ud800 a pair"),
    # --- Everything else a text field meets ---------------------------------------------------------
    ("sql", "misc", "'; DROP TABLE backlog_item; --"),
    ("commas", "misc", "one, two,three ,"),
    ("entities", "misc", "&amp;lt;b&amp;gt; &#60;i&#62; &quot;&apos; & < > \" '"),
    ("encoded-word", "misc", "=?utf-8?b?PHNjcmlwdD4=?= =?utf-8?q?=0D=0ABcc:x?="),
    ("combining", "misc", "Z\u0337\u0321\u0348a\u0338l\u0335g\u0336o\u0337"),
    ("emoji", "misc", "\U0001f469\u200d\U0001f4bb \U0001f3f3\ufe0f\u200d\U0001f308 \U0001f9ea"),
    ("markdown-nesting", "misc", ">" * 400 + " deep " + "[" * 400 + "](x)"),
    ("long-1500", "long", "<b>" + "long " * 300 + '</b><img src=x onerror="«js»">'),
    ("long-25000", "long", "x" * 25_000 + "<script>«js»</script>"),
]

PAYLOADS: list[Payload] = [_payload(*entry) for entry in _CORPUS]
BY_NAME = {payload.name: payload for payload in PAYLOADS}
assert len(BY_NAME) == len(PAYLOADS), "payload names are unique"

# A few payloads, one per way of breaking out, for the doors whose value is a reference (a key,
# an enum, an email address): refused as a whole, so more of the same would test nothing new.
PROBES = [
    BY_NAME[name]
    for name in (
        "script-after-double-quote",
        "img-onerror",
        "break-double-quote",
        "svg-style-img",
        "hx-break-out",
        "format-strings",
        "crlf-header",
        "nul",
        "lone-surrogate",
        "long-1500",
    )
]
