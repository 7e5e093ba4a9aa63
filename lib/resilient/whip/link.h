/* gst-resilient WHIP/WHEP: Link headers and the ICE servers they announce.
 *
 *   Link: <turn:turn.example.net?transport=udp>; rel="ice-server";
 *         username="user"; credential="pass"; credential-type="password"
 *
 * Servers send one Link header per entry or comma-separated lists in one
 * header, and quote sloppily (unquoted values, single quotes, spaces around
 * '=', an unterminated quote at the end). The parser accepts all of these.
 * Extensions are Link entries with URN rels; unknown ones are ignored by the
 * callers.
 */
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace resilient::whip {

struct LinkEntry
{
  std::string target;                     /* the <...> URI, trimmed */
  std::vector<std::string> rels;          /* rel values, lower-case */
  /* every parameter: name lower-case, value unquoted and unescaped */
  std::vector<std::pair<std::string, std::string>> params;

  bool has_rel (const std::string &rel) const;
  std::optional<std::string> param (const std::string &name) const;
};

/* Parses one or more Link header values (each may hold a comma list). */
std::vector<LinkEntry> parse_link_headers (const std::vector<std::string> &values);

struct IceServer
{
  std::string url;         /* as announced: stun:host:port, turn:...?transport= */
  std::string username;
  std::string credential;
};

/* The rel="ice-server" entries of the given Link header values. */
std::vector<IceServer> ice_servers_from_links (const std::vector<std::string> &values);

/* The URL webrtcbin's stun-server / turn-server / add-turn-server take:
 * stun://host:port, turn://user:pass@host:port?transport=udp,
 * turns://user:pass@host:port?transport=tcp. User and password are
 * percent-encoded. Default ports 3478 (stun, turn) and 5349 (turns).
 * nullopt for a scheme webrtcbin cannot use or a URL without a host. */
std::optional<std::string> webrtcbin_ice_url (const IceServer &server);

/* True for a stun: URL (goes to webrtcbin's stun-server). */
bool is_stun_url (const std::string &url);

}  // namespace resilient::whip
