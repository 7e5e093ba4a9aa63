#include "resilient/whip/url.h"

#include <algorithm>
#include <cctype>

namespace resilient::whip {

static std::string
lower (std::string s)
{
  std::transform (s.begin (), s.end (), s.begin (),
      [](unsigned char c) { return std::tolower (c); });
  return s;
}

UrlParts
split_url (const std::string &ref)
{
  UrlParts p;
  std::string rest = ref;
  /* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" before any of
   * "/?#" */
  auto colon = rest.find (':');
  auto first_delim = rest.find_first_of ("/?#");
  if (colon != std::string::npos && colon > 0
      && (first_delim == std::string::npos || colon < first_delim)
      && std::isalpha ((unsigned char) rest[0])) {
    bool ok = std::all_of (rest.begin (), rest.begin () + colon,
        [](unsigned char c) {
          return std::isalnum (c) || c == '+' || c == '-' || c == '.';
        });
    if (ok) {
      p.scheme = lower (rest.substr (0, colon));
      rest = rest.substr (colon + 1);
    }
  }
  if (auto hash = rest.find ('#'); hash != std::string::npos) {
    p.has_fragment = true;
    p.fragment = rest.substr (hash + 1);
    rest = rest.substr (0, hash);
  }
  if (auto q = rest.find ('?'); q != std::string::npos) {
    p.has_query = true;
    p.query = rest.substr (q + 1);
    rest = rest.substr (0, q);
  }
  if (rest.rfind ("//", 0) == 0) {
    p.has_authority = true;
    auto slash = rest.find ('/', 2);
    p.authority = rest.substr (2, slash == std::string::npos ?
        std::string::npos : slash - 2);
    rest = slash == std::string::npos ? std::string () : rest.substr (slash);
  }
  p.path = rest;
  return p;
}

std::string
join_url (const UrlParts &p)
{
  std::string out;
  if (!p.scheme.empty ())
    out += p.scheme + ":";
  if (p.has_authority)
    out += "//" + p.authority;
  out += p.path;
  if (p.has_query)
    out += "?" + p.query;
  if (p.has_fragment)
    out += "#" + p.fragment;
  return out;
}

/* RFC 3986 section 5.2.4 */
static std::string
remove_dot_segments (std::string in)
{
  std::string out;
  while (!in.empty ()) {
    if (in.rfind ("../", 0) == 0) {
      in.erase (0, 3);
    } else if (in.rfind ("./", 0) == 0) {
      in.erase (0, 2);
    } else if (in.rfind ("/./", 0) == 0) {
      in.replace (0, 3, "/");
    } else if (in == "/.") {
      in = "/";
    } else if (in.rfind ("/../", 0) == 0 || in == "/..") {
      in = in == "/.." ? "/" : in.substr (3);
      auto last = out.rfind ('/');
      out.erase (last == std::string::npos ? 0 : last);
    } else if (in == "." || in == "..") {
      in.clear ();
    } else {
      auto start = in[0] == '/' ? 1 : 0;
      auto next = in.find ('/', start);
      out += in.substr (0, next);
      in.erase (0, next == std::string::npos ? in.size () : next);
    }
  }
  return out;
}

/* RFC 3986 section 5.2.3 */
static std::string
merge_paths (const UrlParts &base, const std::string &ref_path)
{
  if (base.has_authority && base.path.empty ())
    return "/" + ref_path;
  auto slash = base.path.rfind ('/');
  if (slash == std::string::npos)
    return ref_path;
  return base.path.substr (0, slash + 1) + ref_path;
}

std::string
resolve_url (const std::string &base_url, const std::string &ref_url)
{
  std::string ref_trimmed = ref_url;
  while (!ref_trimmed.empty () && std::isspace ((unsigned char) ref_trimmed.back ()))
    ref_trimmed.pop_back ();
  while (!ref_trimmed.empty () && std::isspace ((unsigned char) ref_trimmed.front ()))
    ref_trimmed.erase (0, 1);
  UrlParts base = split_url (base_url);
  UrlParts ref = split_url (ref_trimmed);
  UrlParts t;
  if (!ref.scheme.empty ()) {
    t = ref;
    t.path = remove_dot_segments (ref.path);
  } else {
    if (ref.has_authority) {
      t.has_authority = true;
      t.authority = ref.authority;
      t.path = remove_dot_segments (ref.path);
      t.has_query = ref.has_query;
      t.query = ref.query;
    } else {
      if (ref.path.empty ()) {
        t.path = base.path;
        t.has_query = ref.has_query ? true : base.has_query;
        t.query = ref.has_query ? ref.query : base.query;
      } else {
        if (ref.path[0] == '/')
          t.path = remove_dot_segments (ref.path);
        else
          t.path = remove_dot_segments (merge_paths (base, ref.path));
        t.has_query = ref.has_query;
        t.query = ref.query;
      }
      t.has_authority = base.has_authority;
      t.authority = base.authority;
    }
    t.scheme = base.scheme;
  }
  t.has_fragment = ref.has_fragment;
  t.fragment = ref.fragment;
  if (t.has_authority && t.path.empty ())
    t.path = "/";
  return join_url (t);
}

std::optional<std::string>
http_url_for (const std::string &uri)
{
  UrlParts p = split_url (uri);
  if (!p.has_authority || p.authority.empty ())
    return std::nullopt;
  if (p.scheme == "whip" || p.scheme == "whep")
    p.scheme = "http";
  else if (p.scheme == "whips" || p.scheme == "wheps")
    p.scheme = "https";
  else if (p.scheme != "http" && p.scheme != "https")
    return std::nullopt;
  if (p.path.empty ())
    p.path = "/";
  return join_url (p);
}

bool
is_http_url (const std::string &url)
{
  UrlParts p = split_url (url);
  return (p.scheme == "http" || p.scheme == "https") && p.has_authority
      && !p.authority.empty ();
}

std::string
url_origin (const std::string &url)
{
  UrlParts p = split_url (url);
  return p.scheme + "://" + lower (p.authority);
}

std::string
percent_encode (const std::string &s)
{
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += (char) c;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace resilient::whip
