/* gst-resilient: what reswhipsink and reswhepsrc share on the GObject side:
 * their common properties, settings, and bus messages.
 *
 * Both elements install the same signalling properties (uri / endpoint,
 * token, stun-server, turn-servers, use-link-ice-servers, trickle, the
 * timeouts, error-on-failure, status, statistics) through these helpers, so
 * names, blurbs, defaults and units stay identical.
 */
#pragma once

#include "common/whipclient.h"

#include <gst/gst.h>

#include <mutex>
#include <string>
#include <vector>

namespace resilient::gst {

constexpr unsigned DEFAULT_REQUEST_TIMEOUT_MS = 10000;
constexpr unsigned DEFAULT_GATHERING_TIMEOUT_MS = 3000;
constexpr unsigned DEFAULT_CONNECT_TIMEOUT_MS = 15000;
constexpr unsigned DEFAULT_DELETE_TIMEOUT_MS = 2000;
constexpr unsigned DEFAULT_MAX_REDIRECTS = 5;
constexpr unsigned DEFAULT_MEDIA_TIMEOUT_MS = 10000;
constexpr bool DEFAULT_TRICKLE = true;
constexpr bool DEFAULT_USE_LINK_ICE_SERVERS = true;
constexpr bool DEFAULT_ERROR_ON_FAILURE = true;

enum WhipCommonProp {
  PROP_WHIP_0,
  PROP_WHIP_URI,
  PROP_WHIP_ENDPOINT,
  PROP_WHIP_TOKEN,
  PROP_WHIP_STUN_SERVER,
  PROP_WHIP_TURN_SERVERS,
  PROP_WHIP_USE_LINK_ICE_SERVERS,
  PROP_WHIP_TRICKLE,
  PROP_WHIP_REQUEST_TIMEOUT,
  PROP_WHIP_GATHERING_TIMEOUT,
  PROP_WHIP_CONNECT_TIMEOUT,
  PROP_WHIP_DELETE_TIMEOUT,
  PROP_WHIP_MAX_REDIRECTS,
  PROP_WHIP_ERROR_ON_FAILURE,
  PROP_WHIP_STATUS,
  PROP_WHIP_STATISTICS,
  PROP_WHIP_MEDIA_TIMEOUT,
  PROP_WHIP_RELAY_ONLY,
  PROP_WHIP_COMMON_LAST,
};

struct WhipSettings
{
  std::string endpoint;              /* http(s) URL */
  std::string uri;                   /* as set (whip://, whep://, http...) */
  std::string token;
  std::string stun_server;
  std::string turn_servers;          /* comma-separated */
  bool use_link_ice_servers = DEFAULT_USE_LINK_ICE_SERVERS;
  bool trickle = DEFAULT_TRICKLE;
  unsigned request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
  unsigned gathering_timeout_ms = DEFAULT_GATHERING_TIMEOUT_MS;
  unsigned connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  unsigned delete_timeout_ms = DEFAULT_DELETE_TIMEOUT_MS;
  unsigned max_redirects = DEFAULT_MAX_REDIRECTS;
  bool error_on_failure = DEFAULT_ERROR_ON_FAILURE;
  unsigned media_timeout_ms = DEFAULT_MEDIA_TIMEOUT_MS;
  bool relay_only = false;
};

/* `what` is "publish" or "play" (for the blurbs); `env_token` names the
 * token environment variable. */
void whip_install_properties (GObjectClass *klass, bool whep);

/* Returns false when prop_id is not a common one. `settings` is guarded by
 * the caller's lock. Sets `uri_error` when a URI was refused. */
bool whip_set_property (WhipSettings &settings, guint prop_id,
    const GValue *value, bool whep, std::string *uri_error);
bool whip_get_property (const WhipSettings &settings, guint prop_id,
    GValue *value);

/* Builds the client configuration; the token falls back to the environment
 * variable. Empty endpoint: *error says what to fix. */
bool whip_make_config (const WhipSettings &settings, bool whep,
    WhipClientConfig &config, std::string &error);

/* Name of the token environment variable. */
const char *whip_token_env (bool whep);

/* Bus messages, structure names "<element>-<event>". */
void whip_post_failure (GstElement *element, const char *prefix,
    const WhipFailure &f, const std::string &url);
void whip_post_connected (GstElement *element, const char *prefix,
    const WhipClient &client);
void whip_post_warning (GstElement *element, const char *prefix,
    const std::string &reason);

/* The statistics structure ("<prefix>-statistics"). */
GstStructure *whip_statistics (const char *prefix, const WhipSnapshot &snap,
    WebrtcStatus status, std::int64_t first_media_ms);

}  // namespace resilient::gst
