#include "resilient/failover/candidates.h"

#include "resilient/core/textlist.h"

#include <algorithm>
#include <cctype>

namespace resilient::failover {

std::vector<std::string>
split_uri_list (std::string_view text)
{
  return split_words (text, "| \t\n\r\v\f");
}

std::string
join_uri_list (const std::vector<std::string> &uris)
{
  std::string out;
  for (std::size_t i = 0; i < uris.size (); i++) {
    if (i)
      out += " | ";
    out += uris[i];
  }
  return out;
}

static std::string
lower (std::string_view s)
{
  std::string out (s);
  std::transform (out.begin (), out.end (), out.begin (), [] (unsigned char c) {
    return static_cast<char> (std::tolower (c));
  });
  return out;
}

static bool
ends_with (std::string_view s, std::string_view suffix)
{
  return s.size () >= suffix.size ()
         && s.compare (s.size () - suffix.size (), suffix.size (), suffix) == 0;
}

Candidate
parse_candidate (std::string_view uri)
{
  Candidate c;
  c.uri = std::string (uri);
  /* RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
  auto colon = uri.find (':');
  if (colon == std::string_view::npos || colon == 0) {
    c.problem = "not a URI (no scheme)";
    return c;
  }
  if (!std::isalpha (static_cast<unsigned char> (uri[0]))) {
    c.problem = "not a URI (scheme must start with a letter)";
    return c;
  }
  for (std::size_t i = 0; i < colon; i++) {
    unsigned char ch = static_cast<unsigned char> (uri[i]);
    if (!std::isalnum (ch) && ch != '+' && ch != '-' && ch != '.') {
      c.problem = "not a URI (invalid character in scheme)";
      return c;
    }
  }
  c.scheme = lower (uri.substr (0, colon));
  std::string_view rest = uri.substr (colon + 1);
  if (rest.empty ()) {
    c.problem = "URI has nothing after the scheme";
    return c;
  }
  bool hierarchical = rest.substr (0, 2) == "//";
  if (c.scheme == "file") {
    if (!hierarchical || rest.size () <= 2) {
      c.problem = "file URI needs an absolute path (file:///path)";
      return c;
    }
    c.kind = InputKind::File;
    return c;
  }
  static const char *network[]
      = { "rtmp",  "rtmps", "rtmpt", "srt", "rtsp", "rtsps", "rtspt",
          "rtspu", "http",  "https", "udp", "rtp",  "tcp" };
  bool is_network = std::find_if (std::begin (network), std::end (network),
                                  [&] (const char *s) { return c.scheme == s; })
                    != std::end (network);
  if (is_network) {
    if (!hierarchical) {
      c.problem = "network URI needs '//' and a host";
      return c;
    }
    std::string_view authority = rest.substr (2);
    authority = authority.substr (0, authority.find_first_of ("/?#"));
    auto at = authority.rfind ('@');
    if (at != std::string_view::npos)
      authority = authority.substr (at + 1);
    std::string_view host = authority;
    if (!host.empty () && host[0] == '[') {
      auto close = host.find (']');
      if (close == std::string_view::npos) {
        c.problem = "unterminated IPv6 address";
        return c;
      }
      host = host.substr (0, close + 1);
      authority.remove_prefix (close + 1);
    } else {
      host = host.substr (0, host.find (':'));
      authority.remove_prefix (host.size ());
    }
    /* udp://:5000 (any address) is legal; the others need a host. */
    if (host.empty () && c.scheme != "udp" && c.scheme != "srt") {
      c.problem = "network URI has no host";
      return c;
    }
    if (!authority.empty ()) {
      /* ":port" */
      std::string_view port = authority.substr (1);
      if (port.empty () || port.size () > 5
          || !std::all_of (
              port.begin (), port.end (),
              [] (unsigned char ch) { return std::isdigit (ch) != 0; })
          || std::stoi (std::string (port)) > 65535) {
        c.problem = "invalid port";
        return c;
      }
    }
  }
  if (c.scheme == "http" || c.scheme == "https") {
    c.kind = InputKind::Adaptive;
  } else if (ends_with (lower (uri.substr (0, uri.find ('?'))), ".m3u8")
             || ends_with (lower (uri.substr (0, uri.find ('?'))), ".mpd")) {
    c.kind = InputKind::Adaptive;
  } else {
    c.kind = InputKind::Live;
  }
  return c;
}

const char *
reason_name (FailureReason r)
{
  return failure_name (r);
}

bool
is_fatal (ErrorClass c)
{
  return c != ErrorClass::Transient;
}

} // namespace resilient::failover
