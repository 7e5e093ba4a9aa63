#include "resilient/whip/link.h"

#include "resilient/whip/url.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace resilient::whip {

static std::string
lower (std::string s)
{
  std::transform (s.begin (), s.end (), s.begin (),
      [](unsigned char c) { return std::tolower (c); });
  return s;
}

static std::string
trim (const std::string &s)
{
  auto b = s.find_first_not_of (" \t\r\n");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of (" \t\r\n");
  return s.substr (b, e - b + 1);
}

bool
LinkEntry::has_rel (const std::string &rel) const
{
  return std::find (rels.begin (), rels.end (), lower (rel)) != rels.end ();
}

std::optional<std::string>
LinkEntry::param (const std::string &name) const
{
  auto n = lower (name);
  for (auto &[k, v] : params)
    if (k == n)
      return v;
  return std::nullopt;
}

namespace {

class Parser
{
public:
  explicit Parser (const std::string &s) : s_ (s) {}

  void parse (std::vector<LinkEntry> &out)
  {
    while (true) {
      skip (" \t\r\n,");
      if (at_end ())
        return;
      LinkEntry e;
      if (s_[i_] == '<') {
        auto close = s_.find ('>', i_ + 1);
        if (close == std::string::npos) {
          /* unterminated target: take the rest up to ';' */
          auto semi = s_.find (';', i_);
          e.target = trim (s_.substr (i_ + 1, semi == std::string::npos ?
                  std::string::npos : semi - i_ - 1));
          i_ = semi == std::string::npos ? s_.size () : semi;
        } else {
          e.target = trim (s_.substr (i_ + 1, close - i_ - 1));
          i_ = close + 1;
        }
      } else {
        /* sloppy: a bare target up to ';' or ',' */
        auto end = s_.find_first_of (";,", i_);
        e.target = trim (s_.substr (i_, end == std::string::npos ?
                std::string::npos : end - i_));
        i_ = end == std::string::npos ? s_.size () : end;
      }
      parse_params (e);
      if (auto rel = e.param ("rel")) {
        std::string r = lower (*rel);
        std::size_t p = 0;
        while (p < r.size ()) {
          auto b = r.find_first_not_of (" \t", p);
          if (b == std::string::npos)
            break;
          auto en = r.find_first_of (" \t", b);
          e.rels.push_back (r.substr (b, en == std::string::npos ?
                  std::string::npos : en - b));
          p = en == std::string::npos ? r.size () : en;
        }
      }
      if (!e.target.empty ())
        out.push_back (std::move (e));
    }
  }

private:
  bool at_end () const { return i_ >= s_.size (); }
  void skip (const char *chars)
  {
    while (!at_end () && std::strchr (chars, s_[i_]))
      i_++;
  }

  /* Parses ";name=value" pairs until ',' (next entry) or the end. */
  void parse_params (LinkEntry &e)
  {
    while (true) {
      skip (" \t\r\n");
      if (at_end ())
        return;
      if (s_[i_] == ',')
        return;
      if (s_[i_] != ';') {
        /* junk between parameters: skip to the next separator */
        auto n = s_.find_first_of (";,", i_);
        i_ = n == std::string::npos ? s_.size () : n;
        continue;
      }
      i_++;
      skip (" \t\r\n");
      auto name_end = s_.find_first_of ("=;, \t", i_);
      std::string name = lower (s_.substr (i_, name_end == std::string::npos ?
              std::string::npos : name_end - i_));
      i_ = name_end == std::string::npos ? s_.size () : name_end;
      skip (" \t");
      std::string value;
      if (!at_end () && s_[i_] == '=') {
        i_++;
        skip (" \t");
        value = parse_value ();
      }
      /* RFC 8288: name* carries an RFC 8187 ext-value; keep plain names */
      if (!name.empty ())
        e.params.emplace_back (name, value);
    }
  }

  std::string parse_value ()
  {
    if (at_end ())
      return {};
    char q = s_[i_];
    if (q == '"' || q == '\'') {
      i_++;
      std::string v;
      while (!at_end () && s_[i_] != q) {
        if (s_[i_] == '\\' && q == '"' && i_ + 1 < s_.size ())
          i_++;
        v += s_[i_++];
      }
      if (!at_end ())
        i_++;  /* closing quote */
      else
        v = trim (v);  /* unterminated quote: the rest of the header */
      return v;
    }
    auto end = s_.find_first_of (";,", i_);
    std::string v = trim (s_.substr (i_, end == std::string::npos ?
            std::string::npos : end - i_));
    i_ = end == std::string::npos ? s_.size () : end;
    /* a stray closing quote from sloppy servers: rel=ice-server" */
    while (!v.empty () && (v.back () == '"' || v.back () == '\''))
      v.pop_back ();
    return v;
  }

  const std::string &s_;
  std::size_t i_ = 0;
};

}  // namespace

std::vector<LinkEntry>
parse_link_headers (const std::vector<std::string> &values)
{
  std::vector<LinkEntry> out;
  for (auto &v : values)
    Parser (v).parse (out);
  return out;
}

std::vector<IceServer>
ice_servers_from_links (const std::vector<std::string> &values)
{
  std::vector<IceServer> out;
  for (auto &e : parse_link_headers (values)) {
    if (!e.has_rel ("ice-server"))
      continue;
    IceServer s;
    s.url = e.target;
    s.username = e.param ("username").value_or ("");
    s.credential = e.param ("credential").value_or ("");
    out.push_back (std::move (s));
  }
  return out;
}

bool
is_stun_url (const std::string &url)
{
  auto l = lower (trim (url));
  return l.rfind ("stun:", 0) == 0 || l.rfind ("stuns:", 0) == 0;
}

std::optional<std::string>
webrtcbin_ice_url (const IceServer &server)
{
  std::string url = trim (server.url);
  auto colon = url.find (':');
  if (colon == std::string::npos)
    return std::nullopt;
  std::string scheme = lower (url.substr (0, colon));
  std::string rest = url.substr (colon + 1);
  /* Tolerate "turn://host" as well as RFC 7064/7065 "turn:host". */
  if (rest.rfind ("//", 0) == 0)
    rest = rest.substr (2);
  /* drop any userinfo already present: credentials come from the Link */
  std::string query;
  if (auto q = rest.find ('?'); q != std::string::npos) {
    query = rest.substr (q + 1);
    rest = rest.substr (0, q);
  }
  if (auto at = rest.rfind ('@'); at != std::string::npos)
    rest = rest.substr (at + 1);
  while (!rest.empty () && rest.back () == '/')
    rest.pop_back ();
  if (rest.empty ())
    return std::nullopt;

  int default_port;
  if (scheme == "stun")
    default_port = 3478;
  else if (scheme == "turn")
    default_port = 3478;
  else if (scheme == "turns")
    default_port = 5349;
  else
    return std::nullopt;  /* stuns: webrtcbin has no STUN over TLS */

  /* host[:port], IPv6 in brackets */
  std::string hostport = rest;
  bool has_port;
  if (hostport[0] == '[') {
    auto close = hostport.find (']');
    if (close == std::string::npos)
      return std::nullopt;
    has_port = close + 1 < hostport.size () && hostport[close + 1] == ':';
  } else {
    has_port = hostport.find (':') != std::string::npos;
  }
  if (!has_port)
    hostport += ":" + std::to_string (default_port);

  std::string out = scheme + "://";
  if (scheme != "stun") {
    out += percent_encode (server.username) + ":"
        + percent_encode (server.credential) + "@";
  }
  out += hostport;
  if (scheme != "stun") {
    /* keep only transport=, the one parameter webrtcbin reads */
    std::string transport;
    std::size_t p = 0;
    while (p <= query.size () && !query.empty ()) {
      auto amp = query.find ('&', p);
      std::string kv = query.substr (p, amp == std::string::npos ?
          std::string::npos : amp - p);
      if (lower (kv).rfind ("transport=", 0) == 0)
        transport = lower (kv.substr (10));
      if (amp == std::string::npos)
        break;
      p = amp + 1;
    }
    if (transport == "udp" || transport == "tcp")
      out += "?transport=" + transport;
  }
  return out;
}

}  // namespace resilient::whip
