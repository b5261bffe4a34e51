# urllib.parse and html: URL splitting, quoting, query strings, HTML escaping (no network involved).
import html
from urllib.parse import (parse_qs, parse_qsl, quote, quote_plus, unquote, unquote_plus, urlencode, urljoin,
                          urlparse, urlsplit, urlunparse)

u = urlparse("https://user:pw@example.org:8443/a/b;p?q=1&q=2&x=%C3%A9#frag")
print(u.scheme, u.netloc, u.hostname, u.port, u.path, u.params, u.query, u.fragment, u.username)
print(parse_qs(u.query), parse_qsl("a=1&b=&c", keep_blank_values=True))
print(quote("a b/ü?&"), quote("a b/", safe=""), quote_plus("a b&c"), unquote("%C3%A9t%C3%A9"), unquote_plus("a+b%21"))
print(urlencode({"q": "café au lait", "n": 2}), urlencode([("k", "v1"), ("k", "v2")]))
print(urljoin("http://h/a/b/c", "../d"), urljoin("http://h/a/", "/root"), urljoin("http://h/a", "//other/x"))
print(urlunparse(("https", "h", "/p", "", "q=1", "")), urlsplit("mailto:ann@example.org").path)
print(html.escape('<a href="x">Tom & Jerry\'s</a>'), html.escape("<i>", quote=False))
print(html.unescape("&lt;&#x41;&#66;&eacute;&amp;&nbsp;&unknown;"))
