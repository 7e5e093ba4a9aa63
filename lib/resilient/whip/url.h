/* gst-resilient WHIP/WHEP: URL references as the protocols use them.
 *
 * Location and Link targets may be absolute, path-only or relative; they are
 * resolved (RFC 3986 section 5) against the URL that actually answered, that
 * is after redirects, never against the configured endpoint.
 */
#pragma once

#include <optional>
#include <string>

namespace resilient::whip {

struct UrlParts
{
  std::string scheme;     /* lower-case, without ':' */
  bool has_authority = false;
  std::string authority;  /* userinfo@host:port, as written */
  std::string path;
  bool has_query = false;
  std::string query;      /* without '?' */
  bool has_fragment = false;
  std::string fragment;   /* without '#' */
};

/* Splits a URI reference into its five components (RFC 3986 appendix B). */
UrlParts split_url (const std::string &ref);
std::string join_url (const UrlParts &parts);

/* Resolves `ref` against the absolute URL `base`. An absolute `ref` is
 * returned normalised (dot segments removed). */
std::string resolve_url (const std::string &base, const std::string &ref);

/* The HTTP URL behind an element URI: whip:// and whep:// mean http://,
 * whips:// and wheps:// mean https://; http(s) URLs pass unchanged. nullopt
 * for any other scheme or a URI without a host. */
std::optional<std::string> http_url_for (const std::string &uri);

/* True when `url` is an absolute http:// or https:// URL with a host. */
bool is_http_url (const std::string &url);

/* scheme://authority of an absolute URL (the origin, for redirect checks). */
std::string url_origin (const std::string &url);

/* Percent-encodes everything but RFC 3986 unreserved characters. */
std::string percent_encode (const std::string &s);

}  // namespace resilient::whip
