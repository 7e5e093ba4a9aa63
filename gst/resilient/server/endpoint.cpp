#include "server/endpoint.h"

#include <sstream>

GST_DEBUG_CATEGORY_STATIC (res_server_endpoint_debug);
#define GST_CAT_DEFAULT res_server_endpoint_debug

namespace srv = resilient::server;

namespace resilient::gst::server {

static std::string
req_header (SoupServerMessage *msg, const char *name)
{
  const char *v = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), name);
  return v ? v : "";
}

void
add_common_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (h, "Connection", "close");
  soup_message_headers_replace (h, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (
      h, "Access-Control-Expose-Headers",
      "Location, ETag, Link, Retry-After, Accept-Post, Accept-Patch");
}

void
send_problem (SoupServerMessage *msg, int status, const std::string &title,
              const std::string &detail)
{
  add_common_headers (msg);
  std::string body = srv::problem_json (status, title, detail);
  soup_server_message_set_status (msg, status, nullptr);
  soup_server_message_set_response (msg, "application/problem+json",
                                    SOUP_MEMORY_COPY, body.data (),
                                    body.size ());
}

std::string
remote_of (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);
  GSocketAddress *sa = soup_server_message_get_remote_address (msg);
  std::string out = host ? host : "unknown";
  if (sa && G_IS_INET_SOCKET_ADDRESS (sa))
    out += ":"
           + std::to_string (
               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (sa)));
  return out;
}

std::string
new_session_id ()
{
  gchar *uuid = g_uuid_string_random ();
  std::string id;
  for (const char *c = uuid; *c; c++)
    if (*c != '-')
      id += *c;
  g_free (uuid);
  return id;
}

bool
is_loopback (const std::string &address)
{
  return address.rfind ("127.", 0) == 0 || address == "::1"
         || address == "localhost";
}

int
trickle_candidates (SoupServerMessage *msg, GstElement *webrtc,
                    const std::string &etag, const std::string &if_match,
                    const std::string &body)
{
  if (if_match == "*") {
    send_problem (
        msg, 422, "Unprocessable Content",
        "ICE restarts are not supported; DELETE the session and POST a new "
        "offer");
    return 0;
  }
  if (if_match != etag) {
    send_problem (msg, 412, "Precondition Failed",
                  "If-Match does not name this session's ETag");
    return 0;
  }
  std::istringstream in (body);
  std::string line;
  int n = 0;
  while (std::getline (in, line)) {
    if (!line.empty () && line.back () == '\r')
      line.pop_back ();
    if (line.rfind ("a=candidate:", 0) == 0 && line.size () < 1024) {
      g_signal_emit_by_name (webrtc, "add-ice-candidate", 0u,
                             line.c_str () + 2);
      n++;
    }
  }
  add_common_headers (msg);
  soup_server_message_set_status (msg, 204, nullptr);
  return n;
}

static srv::RequestHead
head_of (SoupServerMessage *msg)
{
  srv::RequestHead h;
  h.method = soup_server_message_get_method (msg);
  h.path = g_uri_get_path (soup_server_message_get_uri (msg));
  h.content_type = req_header (msg, "Content-Type");
  h.authorization = req_header (msg, "Authorization");
  h.if_match = req_header (msg, "If-Match");
  SoupMessageHeaders *rh = soup_server_message_get_request_headers (msg);
  if (soup_message_headers_get_encoding (rh) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (rh) >= 0)
    h.content_length
        = (std::size_t)soup_message_headers_get_content_length (rh);
  return h;
}

static std::string
body_of (SoupServerMessage *msg)
{
  GBytes *bytes
      = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  gsize size = 0;
  const char *data = (const char *)g_bytes_get_data (bytes, &size);
  std::string body (data ? data : "", size);
  g_bytes_unref (bytes);
  return body;
}

static const char *
title_of (int status)
{
  switch (status) {
  case 400:
    return "Bad Request";
  case 409:
    return "Conflict";
  case 411:
    return "Length Required";
  case 413:
    return "Content Too Large";
  case 422:
    return "Unprocessable Content";
  default:
    return status >= 500 ? "Internal Server Error" : "Error";
  }
}

Endpoint::Endpoint (GstObject *owner, Handlers handlers)
    : owner_ (owner), h_ (std::move (handlers))
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (res_server_endpoint_debug, "resserverendpoint", 0,
                             "gst-resilient WHIP/WHEP server endpoint");
    g_once_init_leave (&once, 1);
  }
}

Endpoint::~Endpoint () { stop (); }

void
Endpoint::refuse (SoupServerMessage *msg, const srv::Route &r)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  if (!r.allow.empty ())
    soup_message_headers_replace (h, "Allow", r.allow.c_str ());
  if (r.retry_after_s)
    soup_message_headers_replace (h, "Retry-After",
                                  std::to_string (*r.retry_after_s).c_str ());
  if (r.status == 401)
    soup_message_headers_replace (h, "WWW-Authenticate", "Bearer");
  send_problem (msg, r.status, r.title, r.detail);
  refused_++;
  /* the detail never carries the token (route() does not echo it) */
  GST_INFO_OBJECT (owner_, "%s %s -> %d %s",
                   soup_server_message_get_method (msg),
                   g_uri_get_path (soup_server_message_get_uri (msg)), r.status,
                   r.detail.c_str ());
}

void
Endpoint::refuse (SoupServerMessage *msg, int status, const std::string &detail)
{
  srv::Route r;
  r.status = status;
  r.title = title_of (status);
  r.detail = detail;
  refuse (msg, r);
}

void
Endpoint::created (SoupServerMessage *msg, const std::string &id,
                   const std::string &etag, const std::string &answer)
{
  add_common_headers (msg);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  std::string base = config_.limits.path;
  while (!base.empty () && base.back () == '/')
    base.pop_back ();
  std::string location = base + "/" + id;
  soup_message_headers_replace (h, "Location", location.c_str ());
  soup_message_headers_replace (h, "ETag", etag.c_str ());
  soup_message_headers_replace (h, "Accept-Patch",
                                "application/trickle-ice-sdpfrag");
  soup_server_message_set_status (msg, 201, nullptr);
  soup_server_message_set_response (msg, "application/sdp", SOUP_MEMORY_COPY,
                                    answer.data (), answer.size ());
}

/* Before the body: refuse what can be refused from the head alone, and
 * never keep a body we refuse. */
void
Endpoint::on_early (SoupServer *, SoupServerMessage *msg, const char *,
                    GHashTable *, gpointer user_data)
{
  auto *self = static_cast<Endpoint *> (user_data);
  srv::RequestHead h = head_of (msg);
  std::string sid = srv::session_id_of (self->config_.limits.path, h.path);
  srv::Route r
      = srv::route (self->config_.limits, h,
                    !sid.empty () && self->h_.exists (sid), self->h_.count ());
  SoupMessageHeaders *rh = soup_server_message_get_request_headers (msg);
  bool chunked
      = !h.content_length && (h.method == "POST" || h.method == "PATCH")
        && soup_message_headers_get_encoding (rh) != SOUP_ENCODING_NONE;
  if (r.action != srv::Action::Refuse
      && soup_message_headers_get_encoding (rh) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (rh) < 0) {
    r = srv::Route{};
    r.status = 400;
    r.title = "Bad Request";
    r.detail = "the Content-Length is not valid";
  } else if (r.action != srv::Action::Refuse && chunked) {
    /* a chunked body of unknown size: not accepted */
    r = srv::Route{};
    r.status = 411;
    r.title = "Length Required";
    r.detail = "send the body with a Content-Length";
  }
  if (r.action == srv::Action::Refuse) {
    /* the body is never read: close the connection after the answer, or
     * it would stay open (an fd per refused upload) until the server
     * stops */
    soup_message_body_set_accumulate (
        soup_server_message_get_request_body (msg), FALSE);
    self->refuse (msg, r);
  }
}

void
Endpoint::options (SoupServerMessage *msg, const srv::Route &r, bool session)
{
  add_common_headers (msg);
  SoupMessageHeaders *hd = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (hd, "Allow", r.allow.c_str ());
  soup_message_headers_replace (hd, "Access-Control-Allow-Methods",
                                r.allow.c_str ());
  soup_message_headers_replace (hd, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, If-Match");
  soup_message_headers_replace (hd, "Access-Control-Max-Age", "600");
  if (session)
    soup_message_headers_replace (hd, "Accept-Patch",
                                  "application/trickle-ice-sdpfrag");
  else
    soup_message_headers_replace (hd, "Accept-Post", "application/sdp");
  soup_server_message_set_status (msg, 204, nullptr);
}

void
Endpoint::on_request (SoupServer *, SoupServerMessage *msg, const char *,
                      GHashTable *, gpointer user_data)
{
  auto *self = static_cast<Endpoint *> (user_data);
  if (soup_server_message_get_status (msg) != 0)
    return; /* refused early */
  const srv::Limits &lim = self->config_.limits;
  srv::RequestHead h = head_of (msg);
  std::string sid = srv::session_id_of (lim.path, h.path);
  bool exists = !sid.empty () && self->h_.exists (sid);
  srv::Route r = srv::route (lim, h, exists, self->h_.count ());
  SoupMessageBody *b = soup_server_message_get_request_body (msg);
  if (r.action != srv::Action::Refuse && (std::size_t)b->length > lim.max_body)
    r = srv::Route{ srv::Action::Refuse, 413, "Content Too Large",
                    "the body is larger than " + std::to_string (lim.max_body)
                        + " bytes" };
  switch (r.action) {
  case srv::Action::Refuse:
    self->refuse (msg, r);
    return;
  case srv::Action::Options:
    self->options (msg, r, exists);
    return;
  case srv::Action::Delete:
    add_common_headers (msg);
    soup_server_message_set_status (msg, 200, nullptr);
    self->h_.remove (sid);
    return;
  case srv::Action::Trickle:
    self->h_.trickle (msg, sid, h.if_match, body_of (msg));
    return;
  case srv::Action::CreateSession:
    self->h_.create (msg, body_of (msg));
    return;
  }
}

static GTlsCertificate *
load_certificate (const EndpointConfig &c, std::string &error)
{
  if (c.certificate_file.empty () && c.key_file.empty ())
    return nullptr;
  if (c.certificate_file.empty () || c.key_file.empty ()) {
    error = "https needs both certificate-file and key-file";
    return nullptr;
  }
  GError *err = nullptr;
  GTlsCertificate *cert = g_tls_certificate_new_from_files (
      c.certificate_file.c_str (), c.key_file.c_str (), &err);
  if (!cert) {
    error = "cannot load certificate-file '" + c.certificate_file
            + "' with key-file '" + c.key_file + "': " + err->message;
    g_clear_error (&err);
  }
  return cert;
}

bool
Endpoint::start (const EndpointConfig &c, std::string &error)
{
  stop ();
  config_ = c;
  const std::string &path = c.limits.path;
  if (path.empty () || path[0] != '/') {
    error = "path '" + path + "' must start with '/'";
    return false;
  }
  GTlsCertificate *cert = load_certificate (c, error);
  if (!error.empty ())
    return false;
  GInetAddress *ia = g_inet_address_new_from_string (c.address.c_str ());
  if (!ia) {
    g_clear_object (&cert);
    error = "address '" + c.address + "' is not an IP address";
    return false;
  }
  server_ = soup_server_new ("server-header", "gst-resilient",
                             cert ? "tls-certificate" : nullptr, cert, NULL);
  https_ = cert != nullptr;
  g_clear_object (&cert);
  soup_server_add_early_handler (server_, nullptr, on_early, this, nullptr);
  soup_server_add_handler (server_, nullptr, on_request, this, nullptr);
  GSocketAddress *sa = g_inet_socket_address_new (ia, c.port);
  g_object_unref (ia);
  GError *err = nullptr;
  gboolean ok = soup_server_listen (
      server_, sa,
      https_ ? SOUP_SERVER_LISTEN_HTTPS : (SoupServerListenOptions)0, &err);
  g_object_unref (sa);
  if (!ok) {
    error = "cannot listen on " + c.address + ":" + std::to_string (c.port)
            + ": " + err->message;
    g_clear_error (&err);
    g_clear_object (&server_);
    return false;
  }
  GSList *uris = soup_server_get_uris (server_);
  port_ = uris ? g_uri_get_port (static_cast<GUri *> (uris->data)) : -1;
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  GST_INFO_OBJECT (owner_, "serving %s on %s://%s:%d%s",
                   c.limits.protocol.c_str (), https_ ? "https" : "http",
                   c.address.c_str (), port_.load (), path.c_str ());
  return true;
}

void
Endpoint::stop ()
{
  if (server_) {
    soup_server_disconnect (server_);
    g_clear_object (&server_);
  }
  port_ = -1;
}

} // namespace resilient::gst::server

namespace resilient::gst::server {

void
install_endpoint_properties (GObjectClass *klass, guint first,
                             const char *protocol, const char *peers,
                             int default_port, const char *default_path)
{
  /* the blurbs name the protocol: copied, not static */
  auto rw = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_NAME
                          | G_PARAM_STATIC_NICK | GST_PARAM_MUTABLE_READY);
  auto ro = (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_NAME
                          | G_PARAM_STATIC_NICK);
  std::string p = protocol;
  g_object_class_install_property (
      klass, first,
      g_param_spec_string ("address", "Address",
                           ("IP address the " + p
                            + " server listens on; the default keeps it on "
                              "loopback, 0.0.0.0 serves every IPv4 interface.")
                               .c_str (),
                           "127.0.0.1", rw));
  g_object_class_install_property (
      klass, first + 1,
      g_param_spec_int ("port", "Port",
                        ("TCP port the " + p
                         + " server listens on; 0 picks a free port (see "
                           "bound-port).")
                            .c_str (),
                        0, 65535, default_port, rw));
  g_object_class_install_property (
      klass, first + 2,
      g_param_spec_int ("bound-port", "Bound port",
                        ("TCP port the " + p
                         + " server actually listens on; -1 when it is not "
                           "listening.")
                            .c_str (),
                        -1, 65535, -1, ro));
  g_object_class_install_property (
      klass, first + 3,
      g_param_spec_string ("path", "Path",
                           ("URL path of the " + p + " endpoint " + peers
                            + " POST their offer to; sessions live under it.")
                               .c_str (),
                           default_path, rw));
  g_object_class_install_property (
      klass, first + 4,
      g_param_spec_string (
          "certificate-file", "Certificate file",
          "PEM file with the TLS certificate (chain); with key-file the "
          "server speaks https, unset serves plain http.",
          nullptr, rw));
  g_object_class_install_property (
      klass, first + 5,
      g_param_spec_string ("key-file", "Key file",
                           "PEM file with the private key of certificate-file.",
                           nullptr, rw));
}

EndpointConfig
endpoint_defaults (const char *protocol, int port, const char *path)
{
  EndpointConfig c;
  c.address = "127.0.0.1";
  c.port = port;
  c.limits.path = path;
  c.limits.protocol = protocol;
  return c;
}

bool
set_endpoint_property (EndpointConfig &c, guint prop_id, guint first,
                       const GValue *value)
{
  if (prop_id < first || prop_id >= first + kEndpointProps)
    return false;
  auto str = [value] {
    const char *v = g_value_get_string (value);
    return std::string (v ? v : "");
  };
  switch (prop_id - first) {
  case 0:
    c.address = str ();
    break;
  case 1:
    c.port = g_value_get_int (value);
    break;
  case 3:
    c.limits.path = str ();
    break;
  case 4:
    c.certificate_file = str ();
    break;
  case 5:
    c.key_file = str ();
    break;
  default:
    break;
  }
  return true;
}

bool
get_endpoint_property (const EndpointConfig &c, guint prop_id, guint first,
                       int bound_port, GValue *value)
{
  if (prop_id < first || prop_id >= first + kEndpointProps)
    return false;
  auto opt
      = [] (const std::string &s) { return s.empty () ? nullptr : s.c_str (); };
  switch (prop_id - first) {
  case 0:
    g_value_set_string (value, c.address.c_str ());
    break;
  case 1:
    g_value_set_int (value, c.port);
    break;
  case 2:
    g_value_set_int (value, bound_port);
    break;
  case 3:
    g_value_set_string (value, c.limits.path.c_str ());
    break;
  case 4:
    g_value_set_string (value, opt (c.certificate_file));
    break;
  case 5:
    g_value_set_string (value, opt (c.key_file));
    break;
  }
  return true;
}

} // namespace resilient::gst::server
