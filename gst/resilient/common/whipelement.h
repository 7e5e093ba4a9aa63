/* gst-resilient: what reswhipsink and reswhepsrc share on the GObject side:
 * their common properties, settings, and bus messages.
 *
 * Both elements install the same signalling properties (uri / endpoint,
 * token, stun-server, turn-servers, use-link-ice-servers, trickle, the
 * timeouts, error-on-failure, status, statistics) through these helpers, so
 * names, blurbs, defaults and units stay identical.
 */
#pragma once

#include "common/controlloop.h"
#include "common/whipclient.h"

#include <gst/gst.h>

#include <cstdint>
#include <memory>
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

/* The state both elements keep alike; their private structs derive from it.
 * `lock` guards settings, uri_error, status and client. */
struct WhipElementCommon
{
  std::mutex lock;
  WhipSettings settings;
  std::string uri_error;             /* last refused URI, for READY */
  std::unique_ptr<ControlLoop> loop;
  std::shared_ptr<WhipClient> client;
  /* rel="ice-server" Links of the last 201, for the next session */
  std::vector<resilient::whip::IceServer> remembered_ice_servers;
  WebrtcStatus status = WebrtcStatus::Idle;
};

/* Installs the common properties (blurbs for WHEP or WHIP); returns the
 * "status" pspec, for notifications. */
GParamSpec *whip_install_properties (GObjectClass *klass, bool whep);

/* Instance init: the decision loop named `name`, the element a source
 * (WHEP) or a sink (WHIP) whose children's flags do not count. */
void whip_element_init (GstElement *element, WhipElementCommon &c,
    const char *name, bool whep);
/* READY->PAUSED, loop thread started: makes the session's client (stored
 * in c.client) with `hooks` plus the common on_warning and on_connected
 * bus messages. */
std::shared_ptr<WhipClient> whip_make_client (GstElement *element,
    WhipElementCommon &c, const char *prefix, const WhipClientConfig &config,
    WhipClient::Hooks hooks);
/* PAUSED->READY: ends the session (DELETE within delete-timeout), stops
 * the loop and remembers the ICE servers the server announced. */
void whip_element_stop (WhipElementCommon &c);
/* A session failure: posts "<prefix>-failure" and returns the text of the
 * ERROR or WARNING; `url` and `error` (error-on-failure) as set. */
std::string whip_failure_report (GstElement *element, WhipElementCommon &c,
    const char *prefix, const WhipFailure &f, bool whep, std::string &url,
    bool &error);

/* Finalize: stops the loop (before the caller frees its state). */
void whip_element_finalize (WhipElementCommon &c);

/* Returns false when prop_id is not a common one. `settings` is guarded by
 * the caller's lock. Sets `uri_error` when a URI was refused. */
bool whip_set_property (WhipSettings &settings, guint prop_id,
    const GValue *value, bool whep, std::string *uri_error);
bool whip_get_property (const WhipSettings &settings, guint prop_id,
    GValue *value);

/* GObject property plumbing over WhipElementCommon. Set: the caller holds
 * c.lock; records uri_error for uri/endpoint. Get: takes c.lock itself and
 * answers status and statistics (the latter from the client's snapshot,
 * never waiting for the loop) besides the settings. Both return false when
 * prop_id is the element's own. */
bool whip_common_set_property (WhipElementCommon &c, guint prop_id,
    const GValue *value, bool whep);
bool whip_common_get_property (WhipElementCommon &c, guint prop_id,
    GValue *value, const char *prefix, std::int64_t first_media_ms);

/* Sets c.status (under c.lock) and notifies `status_pspec` on a change. */
void whip_set_status (GstElement *element, WhipElementCommon &c,
    WebrtcStatus status, GParamSpec *status_pspec);
/* After the session is cleaned up on PAUSED->READY: stopped, unless it
 * failed (then it stays failed). */
void whip_set_stopped (GstElement *element, WhipElementCommon &c,
    GParamSpec *status_pspec);
/* NULL->READY: false, after posting the ERROR, when the URI was refused or
 * no endpoint is set. */
bool whip_check_settings (GstElement *element, WhipElementCommon &c,
    bool whep);

/* change_state before chaining up: NULL->READY checks the settings,
 * READY->PAUSED sets idle and calls `start` (then `cleanup` when it fails),
 * PAUSED->READY calls `stop`. False: the transition fails. */
bool whip_change_state_before (GstElement *element, WhipElementCommon &c,
    GstStateChange transition, bool whep, GParamSpec *status_pspec,
    bool (*start) (GstElement *), void (*cleanup) (GstElement *));

/* GstURIHandler over WhipElementCommon: whep(s):// source or whip(s)://
 * sink; the URI may change only in NULL. */
const gchar *const *whip_uri_protocols (bool whep);
gchar *whip_uri_get (WhipElementCommon &c);
gboolean whip_uri_set (GstElement *element, WhipElementCommon &c,
    const gchar *uri, bool whep, GError **error);

/* Interface init for G_IMPLEMENT_INTERFACE; `Common` maps the handler to
 * the element's WhipElementCommon. */
template <bool Whep, WhipElementCommon &(*Common) (GstURIHandler *)>
void
whip_uri_handler_init (gpointer g_iface, gpointer)
{
  auto *iface = static_cast<GstURIHandlerInterface *> (g_iface);
  iface->get_type = [] (GType) -> GstURIType {
    return Whep ? GST_URI_SRC : GST_URI_SINK;
  };
  iface->get_protocols = [] (GType) { return whip_uri_protocols (Whep); };
  iface->get_uri = [] (GstURIHandler *h) { return whip_uri_get (Common (h)); };
  iface->set_uri = [] (GstURIHandler *h, const gchar *uri, GError **error) {
    return whip_uri_set (GST_ELEMENT (h), Common (h), uri, Whep, error);
  };
}

/* Builds the client configuration; the token falls back to the environment
 * variable. Empty endpoint: *error says what to fix. */
bool whip_make_config (const WhipSettings &settings, bool whep,
    WhipClientConfig &config, std::string &error);

/* The names of a `video-codecs` / `audio-codecs` list ("h264, vp8"), upper
 * case, spaces and empty items dropped. */
std::vector<std::string> whip_codec_list (const std::string &list);

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
