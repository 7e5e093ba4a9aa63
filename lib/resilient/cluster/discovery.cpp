#include "resilient/cluster/discovery.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace resilient::cluster {

static std::string
lower (std::string_view s)
{
  std::string out (s);
  std::transform (out.begin (), out.end (), out.begin (),
                  [] (unsigned char c) { return std::tolower (c); });
  return out;
}

static bool
looks_like_url (const std::string &s)
{
  auto p = s.find ("://");
  return p != std::string::npos && p > 0 && p + 3 < s.size ()
         && s.find_first_of (" \t\r\n") == std::string::npos;
}

static std::optional<Duration>
seconds_field (const JsonValue &obj, std::string_view key)
{
  const JsonValue *v = obj.get (key);
  if (!v || !v->is_number () || v->as_number () < 0 || v->as_number () > 1e7)
    return std::nullopt;
  return std::chrono::duration_cast<Duration> (
      std::chrono::duration<double> (v->as_number ()));
}

std::optional<DiscoveryAnswer>
parse_discovery (std::string_view body, std::string &error)
{
  auto doc = parse_json (body);
  if (!doc) {
    error = "answer is not JSON";
    return std::nullopt;
  }
  if (!doc->is_object ()) {
    error = "answer is not a JSON object";
    return std::nullopt;
  }
  DiscoveryAnswer answer;
  if (const JsonValue *prio = doc->get ("PATHWAY-PRIORITY")) {
    SteeringManifest m;
    if (const JsonValue *v = doc->get ("VERSION")) {
      if (!v->is_number () || v->as_number () != 1) {
        error = "unsupported steering VERSION";
        return std::nullopt;
      }
    }
    if (!prio->is_array () || prio->items ().empty ()) {
      error = "PATHWAY-PRIORITY is not a non-empty array";
      return std::nullopt;
    }
    for (auto &p : prio->items ()) {
      if (!p.is_string () || p.as_string ().empty ()) {
        error = "PATHWAY-PRIORITY holds a non-string";
        return std::nullopt;
      }
      m.priority.push_back (p.as_string ());
    }
    if (doc->get ("TTL")) {
      auto ttl = seconds_field (*doc, "TTL");
      if (!ttl) {
        error = "TTL is not a number of seconds";
        return std::nullopt;
      }
      m.ttl = *ttl;
    }
    if (auto r = doc->get_string ("RELOAD-URI"))
      m.reload_uri = *r;
    if (const JsonValue *uris = doc->get ("PATHWAY-URIS")) {
      if (!uris->is_object ()) {
        error = "PATHWAY-URIS is not an object";
        return std::nullopt;
      }
      for (auto &[id, v] : uris->members ())
        if (v.is_string () && looks_like_url (v.as_string ()))
          m.pathway_uris[id] = v.as_string ();
    }
    if (const JsonValue *clones = doc->get ("PATHWAY-CLONES")) {
      if (!clones->is_array ()) {
        error = "PATHWAY-CLONES is not an array";
        return std::nullopt;
      }
      for (auto &c : clones->items ()) {
        auto base = c.get_string ("BASE-ID");
        auto id = c.get_string ("ID");
        const JsonValue *host = c.path ("URI-REPLACEMENT.HOST");
        if (base && id && host && host->is_string ())
          m.clones.push_back (PathwayClone{ *base, *id, host->as_string () });
      }
    }
    answer.steering = std::move (m);
    return answer;
  }

  const JsonValue *uri = doc->path ("connection.signallingUri");
  if (!uri)
    uri = doc->get ("uri");
  if (!uri)
    uri = doc->get ("url");
  if (!uri) {
    error = "answer names no endpoint (connection.signallingUri, uri or url)";
    return std::nullopt;
  }
  if (!uri->is_string () || !looks_like_url (uri->as_string ())) {
    error = "endpoint is not a URL";
    return std::nullopt;
  }
  EndpointAnswer ep{ uri->as_string (), std::nullopt };
  if (doc->get ("ttl"))
    ep.ttl = seconds_field (*doc, "ttl");
  answer.endpoint = std::move (ep);
  return answer;
}

std::string
url_authority (std::string_view url)
{
  auto p = url.find ("://");
  if (p == std::string_view::npos)
    return {};
  url.remove_prefix (p + 3);
  auto end = url.find_first_of ("/?#");
  std::string_view auth = url.substr (0, end);
  if (auto at = auth.rfind ('@'); at != std::string_view::npos)
    auth.remove_prefix (at + 1);
  return std::string (auth);
}

std::string
replace_url_host (std::string_view url, std::string_view host)
{
  auto p = url.find ("://");
  if (p == std::string_view::npos)
    return std::string (url);
  size_t start = p + 3;
  size_t end = url.find_first_of ("/?#", start);
  if (end == std::string_view::npos)
    end = url.size ();
  std::string_view auth = url.substr (start, end - start);
  size_t at = auth.rfind ('@');
  size_t host_start = at == std::string_view::npos ? start : start + at + 1;
  std::string_view hostport = url.substr (host_start, end - host_start);
  size_t colon = hostport.rfind (':');
  if (!hostport.empty () && hostport.front () == '[') {
    auto close = hostport.find (']');
    colon = close != std::string_view::npos
                    && hostport.find (':', close) != std::string_view::npos
                ? hostport.find (':', close)
                : std::string_view::npos;
  }
  std::string port = colon == std::string_view::npos
                         ? ""
                         : std::string (hostport.substr (colon));
  std::string new_host (host);
  if (new_host.find (':') != std::string::npos && new_host.front () != '[')
    port.clear (); /* the replacement carries its own port */
  return std::string (url.substr (0, host_start)) + new_host + port
         + std::string (url.substr (end));
}

static std::optional<std::string>
pathway_url (const std::string &id, const SteeringManifest &m,
             const std::vector<Host> &configured, int depth = 0)
{
  if (depth > 8)
    return std::nullopt;
  if (auto it = m.pathway_uris.find (id); it != m.pathway_uris.end ())
    return normalise_host (it->second);
  for (auto &h : configured)
    if (h.url == id || url_authority (h.url) == id)
      return h.url;
  for (auto &c : m.clones) {
    if (c.id == id) {
      auto base = pathway_url (c.base_id, m, configured, depth + 1);
      if (base)
        return replace_url_host (*base, c.host);
    }
  }
  return std::nullopt;
}

std::vector<Host>
steering_hosts (const SteeringManifest &m, const std::vector<Host> &configured)
{
  std::vector<Host> out;
  for (auto &id : m.priority) {
    auto url = pathway_url (id, m, configured);
    if (!url)
      continue;
    bool dup = std::any_of (out.begin (), out.end (),
                            [&] (const Host &h) { return h.url == *url; });
    if (!dup)
      out.push_back (Host{ *url, 1.0 });
  }
  return out;
}

static std::optional<bool>
status_word (const std::string &raw)
{
  std::string s = lower (raw);
  auto sep = s.find_last_of ("._:");
  if (sep != std::string::npos)
    s = s.substr (sep + 1);
  static const char *up[] = { "online", "up",        "started", "start",
                              "live",   "available", "active",  "ok" };
  static const char *down[]
      = { "offline", "down",        "stopped",  "stop",   "ended",
          "end",     "unavailable", "inactive", "failed", "error" };
  for (auto w : up)
    if (s == w)
      return true;
  for (auto w : down)
    if (s == w)
      return false;
  return std::nullopt;
}

std::optional<StatusReport>
parse_status_report (const std::string &alias, std::string_view body,
                     const std::vector<Host> &configured, std::string &error)
{
  auto doc = parse_json (body);
  if (!doc || !doc->is_object ()) {
    error = "body is not a JSON object";
    return std::nullopt;
  }
  StatusReport r;
  std::optional<bool> online;
  if (const JsonValue *b = doc->get ("online"); b && b->is_bool ())
    online = b->as_bool ();
  for (const char *key : { "status", "state", "event" }) {
    if (online)
      break;
    if (auto s = doc->get_string (key))
      online = status_word (*s);
  }
  if (!online) {
    error = "no recognised status (status/state/event/online)";
    return std::nullopt;
  }
  r.online = *online;
  r.stream = alias;
  if (r.stream.empty ()) {
    if (auto s = doc->get_string ("alias"))
      r.stream = *s;
    else if (auto s2 = doc->get_string ("stream"))
      r.stream = *s2;
  }
  if (const JsonValue *h = doc->get ("host")) {
    if (h->is_string () && !h->as_string ().empty ()) {
      r.host = normalise_host (h->as_string ());
    } else if (h->is_number ()) {
      double d = h->as_number ();
      if (d < 0 || d >= configured.size () || std::floor (d) != d) {
        error = "host index out of range";
        return std::nullopt;
      }
      r.host = configured[static_cast<size_t> (d)].url;
    } else {
      error = "host is neither a URL nor an index";
      return std::nullopt;
    }
  }
  if (r.stream.empty () && r.host.empty ()) {
    error = "report names neither a stream nor a host";
    return std::nullopt;
  }
  return r;
}

} // namespace resilient::cluster
