#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "common/whipelement.h"

#include "common/messages.h"
#include "resilient/whip/url.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace resilient::gst {

const char *
whip_token_env (bool whep)
{
  return whep ? "RESILIENT_WHEP_TOKEN" : "RESILIENT_WHIP_TOKEN";
}

/* The endpoint, its token and ICE (in the order gst-inspect lists
 * them). */
static void
install_endpoint_properties (GObjectClass *klass, bool whep)
{
  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE
      | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (klass, PROP_WHIP_URI,
      g_param_spec_string ("uri", "URI", whep ?
          "WHEP endpoint as a URI: whep://host/path means http://host/path, "
          "wheps:// means https://; http(s) URLs are taken as they are." :
          "WHIP endpoint as a URI: whip://host/path means http://host/path, "
          "whips:// means https://; http(s) URLs are taken as they are.",
          nullptr, rw));
  g_object_class_install_property (klass, PROP_WHIP_ENDPOINT,
      g_param_spec_string ("endpoint", "Endpoint", whep ?
          "WHEP endpoint URL (http or https) the offer is POSTed to; the "
          "same setting as uri." :
          "WHIP endpoint URL (http or https) the offer is POSTed to; the "
          "same setting as uri.", nullptr, rw));
  g_object_class_install_property (klass, PROP_WHIP_TOKEN,
      g_param_spec_string ("token", "Token", whep ?
          "Bearer token sent on every request; empty means the "
          "RESILIENT_WHEP_TOKEN environment variable, or none. Write-only, "
          "never logged." :
          "Bearer token sent on every request; empty means the "
          "RESILIENT_WHIP_TOKEN environment variable, or none. Write-only, "
          "never logged.", nullptr, (GParamFlags) (G_PARAM_WRITABLE
              | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property (klass, PROP_WHIP_STUN_SERVER,
      g_param_spec_string ("stun-server", "STUN server",
          "STUN server as stun://host:port; empty means none besides those "
          "the server announces.", nullptr, rw));
  g_object_class_install_property (klass, PROP_WHIP_TURN_SERVERS,
      g_param_spec_string ("turn-servers", "TURN servers",
          "Comma-separated TURN servers as "
          "turn(s)://user:password@host:port?transport=udp|tcp with "
          "percent-encoded user and password; empty means none.",
          nullptr, rw));
  g_object_class_install_property (klass, PROP_WHIP_USE_LINK_ICE_SERVERS,
      g_param_spec_boolean ("use-link-ice-servers", "Use Link ICE servers",
          "Ask the endpoint with OPTIONS before the offer and use the ICE "
          "servers of its rel=ice-server Link headers.",
          DEFAULT_USE_LINK_ICE_SERVERS, rw));
  g_object_class_install_property (klass, PROP_WHIP_TRICKLE,
      g_param_spec_boolean ("trickle", "Trickle ICE",
          "Send the offer at once and the local candidates in one PATCH "
          "after the answer; when false, wait for gathering and send them "
          "in the offer.", DEFAULT_TRICKLE, rw));
}

/* Timeouts, redirects and failure handling. */
static void
install_session_properties (GObjectClass *klass, bool whep)
{
  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE
      | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (klass, PROP_WHIP_REQUEST_TIMEOUT,
      g_param_spec_uint ("request-timeout", "Request timeout",
          "Time allowed for each HTTP request, in milliseconds; 0 means no "
          "limit.", 0, G_MAXUINT, DEFAULT_REQUEST_TIMEOUT_MS, rw));
  g_object_class_install_property (klass, PROP_WHIP_GATHERING_TIMEOUT,
      g_param_spec_uint ("gathering-timeout", "Gathering timeout",
          "Longest wait for ICE gathering before the offer (no trickle) or "
          "the candidate PATCH (trickle) goes out with what was gathered, "
          "in milliseconds.", 0, G_MAXUINT, DEFAULT_GATHERING_TIMEOUT_MS,
          rw));
  g_object_class_install_property (klass, PROP_WHIP_CONNECT_TIMEOUT,
      g_param_spec_uint ("connect-timeout", "Connect timeout",
          "Time allowed from the answer to a connected ICE and DTLS "
          "transport before a transient failure is reported, in "
          "milliseconds.", 100, G_MAXUINT, DEFAULT_CONNECT_TIMEOUT_MS, rw));
  g_object_class_install_property (klass, PROP_WHIP_DELETE_TIMEOUT,
      g_param_spec_uint ("delete-timeout", "Delete timeout",
          "Longest wait for the DELETE that ends the session when the "
          "element stops, in milliseconds; 0 means do not send it.",
          0, 60000, DEFAULT_DELETE_TIMEOUT_MS, rw));
  g_object_class_install_property (klass, PROP_WHIP_MAX_REDIRECTS,
      g_param_spec_uint ("max-redirects", "Maximum redirects",
          "Most 307/308 redirects followed for the POST of the offer; 0 "
          "means none.", 0, 20, DEFAULT_MAX_REDIRECTS, rw));
  g_object_class_install_property (klass, PROP_WHIP_ERROR_ON_FAILURE,
      g_param_spec_boolean ("error-on-failure", "Error on failure",
          "Post an ERROR after the failure message when the session fails; "
          "when false only a WARNING, for wrappers that restart the "
          "element themselves.", DEFAULT_ERROR_ON_FAILURE, rw));
  g_object_class_install_property (klass, PROP_WHIP_MEDIA_TIMEOUT,
      g_param_spec_uint ("media-timeout", "Media timeout", whep ?
          "Once connected, time without any media received before a "
          "transient failure is reported (the server or path is gone), in "
          "milliseconds; 0 disables." :
          "Once connected, time without the server acknowledging media in "
          "its RTCP receiver reports before a transient failure is reported "
          "(the server or path is gone), in milliseconds; 0 disables.",
          0, G_MAXUINT, DEFAULT_MEDIA_TIMEOUT_MS, rw));
  g_object_class_install_property (klass, PROP_WHIP_RELAY_ONLY,
      g_param_spec_boolean ("relay-only", "Relay only",
          "Use only TURN relay candidates (ICE transport policy relay), for "
          "networks where direct paths must not be tried.", FALSE, rw));
}

GParamSpec *
whip_install_properties (GObjectClass *klass, bool whep)
{
  const GParamFlags ro = (GParamFlags) (G_PARAM_READABLE
      | G_PARAM_STATIC_STRINGS);
  install_endpoint_properties (klass, whep);
  install_session_properties (klass, whep);
  g_object_class_install_property (klass, PROP_WHIP_STATUS,
      g_param_spec_enum ("status", "Status",
          "Where the session is: idle, signalling, connecting, connected, "
          "failed or stopped.", webrtc_status_get_type (),
          (gint) WebrtcStatus::Idle, ro));
  g_object_class_install_property (klass, PROP_WHIP_STATISTICS,
      g_param_spec_boxed ("statistics", "Statistics",
          "Session figures: HTTP status, redirects, redacted session URL and "
          "the time of each step in milliseconds since start.",
          GST_TYPE_STRUCTURE, ro));
  gst_type_mark_as_plugin_api (webrtc_status_get_type (),
      (GstPluginAPIFlags) 0);
  return g_object_class_find_property (klass, "status");
}

void
whip_element_init (GstElement *element, WhipElementCommon &c,
    const char *name, bool whep)
{
  c.loop = std::make_unique<ControlLoop> (name);
  GST_OBJECT_FLAG_SET (element, whep ? GST_ELEMENT_FLAG_SOURCE :
      GST_ELEMENT_FLAG_SINK);
  gst_bin_set_suppressed_flags (GST_BIN (element), (GstElementFlags)
      (GST_ELEMENT_FLAG_SOURCE | GST_ELEMENT_FLAG_SINK));
}

std::shared_ptr<WhipClient>
whip_make_client (GstElement *element, WhipElementCommon &c,
    const char *prefix, const WhipClientConfig &config,
    WhipClient::Hooks hooks)
{
  std::string name = prefix;
  hooks.on_warning = [element, name] (const std::string &w) {
    whip_post_warning (element, name.c_str (), w);
  };
  hooks.on_connected = [element, &c, name] {
    whip_post_connected (element, name.c_str (), *c.client);
  };
  auto client = std::make_shared<WhipClient> (*c.loop, GST_OBJECT (element),
      config, hooks);
  c.client = client;
  return client;
}

void
whip_element_stop (WhipElementCommon &c)
{
  unsigned delete_timeout;
  {
    std::lock_guard<std::mutex> g (c.lock);
    delete_timeout = c.settings.delete_timeout_ms;
  }
  if (c.client)
    c.client->stop (delete_timeout);
  c.loop->stop ();
  if (c.client && !c.client->answer_ice_servers ().empty ())
    c.remembered_ice_servers = c.client->answer_ice_servers ();
  c.client.reset ();
}

std::string
whip_failure_report (GstElement *element, WhipElementCommon &c,
    const char *prefix, const WhipFailure &f, bool whep, std::string &url,
    bool &error)
{
  {
    std::lock_guard<std::mutex> g (c.lock);
    url = c.settings.endpoint;
    error = c.settings.error_on_failure;
  }
  whip_post_failure (element, prefix, f, url);
  return std::string (whep ? "WHEP playback failed (" :
      "WHIP publishing failed (") + whip::severity_name (f.severity) + ", "
      + f.stage + (f.http_status ? ", HTTP " + std::to_string (f.http_status)
      : "") + "): " + f.reason;
}

void
whip_element_finalize (WhipElementCommon &c)
{
  if (c.loop)
    c.loop->stop ();
}

bool
whip_set_property (WhipSettings &s, guint prop_id, const GValue *value,
    bool whep, std::string *uri_error)
{
  auto str = [value] {
    const char *v = g_value_get_string (value);
    return std::string (v ? v : "");
  };
  switch (prop_id) {
    case PROP_WHIP_URI:
    case PROP_WHIP_ENDPOINT: {
      std::string v = str ();
      if (v.empty ()) {
        s.uri.clear ();
        s.endpoint.clear ();
        return true;
      }
      auto http = whip::http_url_for (v);
      if (!http) {
        if (uri_error)
          *uri_error = "not a " + std::string (whep ? "whep(s)" : "whip(s)")
              + " or http(s) URI with a host: " + redact_uri (v);
        return true;
      }
      s.uri = v;
      s.endpoint = *http;
      return true;
    }
    case PROP_WHIP_TOKEN:
      s.token = str ();
      return true;
    case PROP_WHIP_STUN_SERVER:
      s.stun_server = str ();
      return true;
    case PROP_WHIP_TURN_SERVERS:
      s.turn_servers = str ();
      return true;
    case PROP_WHIP_USE_LINK_ICE_SERVERS:
      s.use_link_ice_servers = g_value_get_boolean (value);
      return true;
    case PROP_WHIP_TRICKLE:
      s.trickle = g_value_get_boolean (value);
      return true;
    case PROP_WHIP_REQUEST_TIMEOUT:
      s.request_timeout_ms = g_value_get_uint (value);
      return true;
    case PROP_WHIP_GATHERING_TIMEOUT:
      s.gathering_timeout_ms = g_value_get_uint (value);
      return true;
    case PROP_WHIP_CONNECT_TIMEOUT:
      s.connect_timeout_ms = g_value_get_uint (value);
      return true;
    case PROP_WHIP_DELETE_TIMEOUT:
      s.delete_timeout_ms = g_value_get_uint (value);
      return true;
    case PROP_WHIP_MAX_REDIRECTS:
      s.max_redirects = g_value_get_uint (value);
      return true;
    case PROP_WHIP_ERROR_ON_FAILURE:
      s.error_on_failure = g_value_get_boolean (value);
      return true;
    case PROP_WHIP_MEDIA_TIMEOUT:
      s.media_timeout_ms = g_value_get_uint (value);
      return true;
    case PROP_WHIP_RELAY_ONLY:
      s.relay_only = g_value_get_boolean (value);
      return true;
    default:
      return false;
  }
}

bool
whip_get_property (const WhipSettings &s, guint prop_id, GValue *value)
{
  switch (prop_id) {
    case PROP_WHIP_URI:
      /* a URI may carry secrets in its query: redacted on the way out */
      g_value_set_string (value, s.uri.empty () ? nullptr :
          redact_uri (s.uri).c_str ());
      return true;
    case PROP_WHIP_ENDPOINT:
      g_value_set_string (value, s.endpoint.empty () ? nullptr :
          redact_uri (s.endpoint).c_str ());
      return true;
    case PROP_WHIP_STUN_SERVER:
      g_value_set_string (value, s.stun_server.empty () ? nullptr :
          s.stun_server.c_str ());
      return true;
    case PROP_WHIP_TURN_SERVERS:
      g_value_set_string (value, s.turn_servers.empty () ? nullptr :
          redact_uri (s.turn_servers).c_str ());
      return true;
    case PROP_WHIP_USE_LINK_ICE_SERVERS:
      g_value_set_boolean (value, s.use_link_ice_servers);
      return true;
    case PROP_WHIP_TRICKLE:
      g_value_set_boolean (value, s.trickle);
      return true;
    case PROP_WHIP_REQUEST_TIMEOUT:
      g_value_set_uint (value, s.request_timeout_ms);
      return true;
    case PROP_WHIP_GATHERING_TIMEOUT:
      g_value_set_uint (value, s.gathering_timeout_ms);
      return true;
    case PROP_WHIP_CONNECT_TIMEOUT:
      g_value_set_uint (value, s.connect_timeout_ms);
      return true;
    case PROP_WHIP_DELETE_TIMEOUT:
      g_value_set_uint (value, s.delete_timeout_ms);
      return true;
    case PROP_WHIP_MAX_REDIRECTS:
      g_value_set_uint (value, s.max_redirects);
      return true;
    case PROP_WHIP_ERROR_ON_FAILURE:
      g_value_set_boolean (value, s.error_on_failure);
      return true;
    case PROP_WHIP_MEDIA_TIMEOUT:
      g_value_set_uint (value, s.media_timeout_ms);
      return true;
    case PROP_WHIP_RELAY_ONLY:
      g_value_set_boolean (value, s.relay_only);
      return true;
    default:
      return false;
  }
}

bool
whip_common_set_property (WhipElementCommon &c, guint prop_id,
    const GValue *value, bool whep)
{
  std::string uri_error;
  if (!whip_set_property (c.settings, prop_id, value, whep, &uri_error))
    return false;
  if (prop_id == PROP_WHIP_URI || prop_id == PROP_WHIP_ENDPOINT)
    c.uri_error = uri_error;
  return true;
}

bool
whip_common_get_property (WhipElementCommon &c, guint prop_id,
    GValue *value, const char *prefix, std::int64_t first_media_ms)
{
  if (prop_id == PROP_WHIP_STATISTICS) {
    WebrtcStatus st;
    std::shared_ptr<WhipClient> client;
    {
      std::lock_guard<std::mutex> g (c.lock);
      st = c.status;
      client = c.client;
    }
    WhipSnapshot snap;
    if (client)
      snap = client->snapshot ();
    GstStructure *s = whip_statistics (prefix, snap, st, first_media_ms);
    gst_value_set_structure (value, s);
    gst_structure_free (s);
    return true;
  }
  std::lock_guard<std::mutex> g (c.lock);
  if (prop_id == PROP_WHIP_STATUS) {
    g_value_set_enum (value, (gint) c.status);
    return true;
  }
  return whip_get_property (c.settings, prop_id, value);
}

void
whip_set_status (GstElement *element, WhipElementCommon &c,
    WebrtcStatus status, GParamSpec *status_pspec)
{
  {
    std::lock_guard<std::mutex> g (c.lock);
    if (c.status == status)
      return;
    c.status = status;
  }
  g_object_notify_by_pspec (G_OBJECT (element), status_pspec);
}

void
whip_set_stopped (GstElement *element, WhipElementCommon &c,
    GParamSpec *status_pspec)
{
  bool failed;
  {
    std::lock_guard<std::mutex> g (c.lock);
    failed = c.status == WebrtcStatus::Failed;
  }
  if (!failed)
    whip_set_status (element, c, WebrtcStatus::Stopped, status_pspec);
}

bool
whip_check_settings (GstElement *element, WhipElementCommon &c, bool whep)
{
  std::string uri_error, endpoint;
  {
    std::lock_guard<std::mutex> g (c.lock);
    uri_error = c.uri_error;
    endpoint = c.settings.endpoint;
  }
  if (!uri_error.empty ()) {
    GST_ELEMENT_ERROR (element, RESOURCE, SETTINGS, ("%s",
            uri_error.c_str ()), (nullptr));
    return false;
  }
  if (endpoint.empty ()) {
    GST_ELEMENT_ERROR (element, RESOURCE, SETTINGS, ("%s", whep ?
            "no endpoint: set the uri (whep://host/path) or endpoint property" :
            "no endpoint: set the uri (whip://host/path) or endpoint property"),
        (nullptr));
    return false;
  }
  return true;
}

bool
whip_change_state_before (GstElement *element, WhipElementCommon &c,
    GstStateChange transition, bool whep, GParamSpec *status_pspec,
    bool (*start) (GstElement *), void (*cleanup) (GstElement *))
{
  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      return whip_check_settings (element, c, whep);
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      whip_set_status (element, c, WebrtcStatus::Idle, status_pspec);
      if (!start (element)) {
        cleanup (element);
        return false;
      }
      return true;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      whip_element_stop (c);
      return true;
    default:
      return true;
  }
}

const gchar *const *
whip_uri_protocols (bool whep)
{
  static const gchar *whep_protocols[] = { "whep", "wheps", nullptr };
  static const gchar *whip_protocols[] = { "whip", "whips", nullptr };
  return whep ? whep_protocols : whip_protocols;
}

gchar *
whip_uri_get (WhipElementCommon &c)
{
  std::lock_guard<std::mutex> g (c.lock);
  return c.settings.uri.empty () ? nullptr : g_strdup (c.settings.uri.c_str ());
}

gboolean
whip_uri_set (GstElement *element, WhipElementCommon &c, const gchar *uri,
    bool whep, GError **error)
{
  if (GST_STATE (element) != GST_STATE_NULL) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE,
        "the URI can only change in the NULL state");
    return FALSE;
  }
  GValue v = G_VALUE_INIT;
  g_value_init (&v, G_TYPE_STRING);
  g_value_set_string (&v, uri);
  std::string uri_error;
  {
    std::lock_guard<std::mutex> g (c.lock);
    whip_set_property (c.settings, PROP_WHIP_URI, &v, whep, &uri_error);
    c.uri_error = uri_error;
  }
  g_value_unset (&v);
  if (!uri_error.empty ()) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI, "%s",
        uri_error.c_str ());
    return FALSE;
  }
  return TRUE;
}

bool
whip_make_config (const WhipSettings &s, bool whep, WhipClientConfig &c,
    std::string &error)
{
  if (s.endpoint.empty ()) {
    error = std::string ("no endpoint: set the uri (") + (whep ?
        "whep://host/path" : "whip://host/path") + ") or endpoint property";
    return false;
  }
  c.protocol = whep ? whip::Protocol::Whep : whip::Protocol::Whip;
  c.endpoint = s.endpoint;
  c.token = s.token;
  if (c.token.empty ())
    if (const char *env = g_getenv (whip_token_env (whep)))
      c.token = env;
  c.stun_server = s.stun_server;
  c.turn_servers.clear ();
  std::string rest = s.turn_servers;
  while (!rest.empty ()) {
    auto comma = rest.find (',');
    std::string t = rest.substr (0, comma);
    auto b = t.find_first_not_of (" \t");
    auto e = t.find_last_not_of (" \t");
    if (b != std::string::npos)
      c.turn_servers.push_back (t.substr (b, e - b + 1));
    rest = comma == std::string::npos ? std::string () : rest.substr (comma + 1);
  }
  c.use_link_ice_servers = s.use_link_ice_servers;
  c.trickle = s.trickle;
  c.request_timeout_ms = s.request_timeout_ms;
  c.gathering_timeout_ms = s.gathering_timeout_ms;
  c.connect_timeout_ms = s.connect_timeout_ms;
  c.max_redirects = (int) s.max_redirects;
  c.media_timeout_ms = s.media_timeout_ms;
  c.relay_only = s.relay_only;
  c.delete_timeout_ms = s.delete_timeout_ms;
  return true;
}

void
whip_post_failure (GstElement *element, const char *prefix,
    const WhipFailure &f, const std::string &url)
{
  std::string name = std::string (prefix) + "-failure";
  GstStructure *s = gst_structure_new (name.c_str (),
      "severity", G_TYPE_STRING, whip::severity_name (f.severity),
      "fatal", G_TYPE_BOOLEAN, f.severity == whip::Severity::Fatal,
      "http-status", G_TYPE_INT, f.http_status,
      "stage", G_TYPE_STRING, f.stage.c_str (),
      "reason", G_TYPE_STRING, f.reason.c_str (),
      "problem-title", G_TYPE_STRING, f.problem_title.c_str (),
      "problem-detail", G_TYPE_STRING, f.problem_detail.c_str (),
      "retry-after-ms", G_TYPE_INT64, (gint64) f.retry_after_ms,
      "url", G_TYPE_STRING, redact_uri (url).c_str (), NULL);
  post_element_message (element, s);
}

void
whip_post_connected (GstElement *element, const char *prefix,
    const WhipClient &c)
{
  std::string name = std::string (prefix) + "-connected";
  auto &t = c.timings ();
  GstStructure *s = gst_structure_new (name.c_str (),
      "session-url", G_TYPE_STRING, c.session_url ().c_str (),
      "http-status", G_TYPE_INT, c.http_status (),
      "redirects", G_TYPE_INT, c.redirects (),
      "http-ms", G_TYPE_INT64, (gint64) t.http_ms,
      "ice-connected-ms", G_TYPE_INT64, (gint64) t.ice_connected_ms,
      "connected-ms", G_TYPE_INT64, (gint64) t.connected_ms,
      "warning", G_TYPE_STRING, c.warning ().c_str (), NULL);
  post_element_message (element, s);
}

void
whip_post_warning (GstElement *element, const char *prefix,
    const std::string &reason)
{
  std::string name = std::string (prefix) + "-warning";
  post_element_message (element, gst_structure_new (name.c_str (),
          "reason", G_TYPE_STRING, reason.c_str (), NULL));
}

GstStructure *
whip_statistics (const char *prefix, const WhipSnapshot &c,
    WebrtcStatus status, std::int64_t first_media_ms)
{
  std::string name = std::string (prefix) + "-statistics";
  GEnumClass *ec = G_ENUM_CLASS (g_type_class_ref (webrtc_status_get_type ()));
  GEnumValue *ev = g_enum_get_value (ec, (gint) status);
  GstStructure *s = gst_structure_new (name.c_str (),
      "status", G_TYPE_STRING, ev ? ev->value_nick : "unknown", NULL);
  g_type_class_unref (ec);
  const WhipTimings &t = c.timings;
  gst_structure_set (s,
      "http-status", G_TYPE_INT, c.http_status,
      "redirects", G_TYPE_INT, c.redirects,
      "session-url", G_TYPE_STRING, c.session_url.c_str (),
      "trickle-candidates", G_TYPE_INT, c.trickle_candidates,
      "rtcp-acks", G_TYPE_UINT64, (guint64) c.rtcp_acks,
      "offer-ms", G_TYPE_INT64, (gint64) t.offer_ms,
      "post-sent-ms", G_TYPE_INT64, (gint64) t.post_sent_ms,
      "http-ms", G_TYPE_INT64, (gint64) t.http_ms,
      "answer-ms", G_TYPE_INT64, (gint64) t.answer_ms,
      "ice-connected-ms", G_TYPE_INT64, (gint64) t.ice_connected_ms,
      "connected-ms", G_TYPE_INT64, (gint64) t.connected_ms,
      "first-media-ms", G_TYPE_INT64, (gint64) first_media_ms,
      "warning", G_TYPE_STRING, c.warning.c_str (), NULL);
  return s;
}

std::vector<std::string>
whip_codec_list (const std::string &list)
{
  std::vector<std::string> out;
  std::stringstream in (list);
  std::string c;
  while (std::getline (in, c, ',')) {
    c.erase (std::remove_if (c.begin (), c.end (), ::isspace), c.end ());
    std::transform (c.begin (), c.end (), c.begin (), ::toupper);
    if (!c.empty ())
      out.push_back (c);
  }
  return out;
}

}  // namespace resilient::gst
