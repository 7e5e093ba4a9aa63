#include "cluster/callbackserver.h"

#include "resilient/cluster/json.h"
#include "resilient/core/secret.h"

#include <cstring>

GST_DEBUG_CATEGORY_EXTERN (gst_cluster_resolver_debug);
#define GST_CAT_DEFAULT gst_cluster_resolver_debug

namespace resilient::gst {

CallbackServer::~CallbackServer () { g_warn_if_fail (server_ == nullptr); }

static bool
secret_matches (const std::string &want, const char *got)
{
  return got && constant_time_equal (want, got);
}

bool
CallbackServer::start (const std::string &address, int port, Secret secret,
                       Handler handler, std::string &error)
{
  g_return_val_if_fail (loop_.on_loop_thread (), false);
  if (port < 0)
    return true;
  GInetAddress *ia = g_inet_address_new_from_string (address.c_str ());
  if (!ia) {
    error = "callback-address '" + address + "' is not an IP address";
    return false;
  }
  secret_ = std::move (secret);
  handler_ = std::move (handler);
  server_ = soup_server_new ("server-header", "gst-resilient", nullptr);
  soup_server_add_handler (server_, "/callbacks", on_request, this, nullptr);
  GSocketAddress *sa = g_inet_socket_address_new (ia, port);
  g_object_unref (ia);
  GError *err = nullptr;
  gboolean ok
      = soup_server_listen (server_, sa, (SoupServerListenOptions)0, &err);
  g_object_unref (sa);
  if (!ok) {
    error = std::string ("cannot listen on ") + address + ":"
            + std::to_string (port) + ": " + err->message;
    g_clear_error (&err);
    g_clear_object (&server_);
    return false;
  }
  GSList *uris = soup_server_get_uris (server_);
  bound_port_ = uris ? g_uri_get_port (static_cast<GUri *> (uris->data)) : -1;
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return true;
}

void
CallbackServer::stop ()
{
  g_return_if_fail (loop_.on_loop_thread ());
  if (server_) {
    soup_server_disconnect (server_);
    g_clear_object (&server_);
  }
  handler_ = nullptr;
  secret_ = nullptr;
  bound_port_ = -1;
}

void
CallbackServer::on_request (SoupServer *, SoupServerMessage *msg,
                            const char *path, GHashTable *, gpointer data)
{
  auto *self = static_cast<CallbackServer *> (data);
  Reply r = self->handle (msg, path);
  soup_server_message_set_status (msg, r.status, nullptr);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    r.json.data (), r.json.size ());
}

CallbackServer::Reply
CallbackServer::handle (SoupServerMessage *msg, const char *path)
{
  const char *method = soup_server_message_get_method (msg);
  if (g_strcmp0 (method, "POST") != 0 && g_strcmp0 (method, "PUT") != 0)
    return { SOUP_STATUS_METHOD_NOT_ALLOWED, "{\"error\":\"use POST\"}" };
  std::string secret = secret_ ();
  if (!secret.empty ()) {
    SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
    const char *auth = soup_message_headers_get_one (h, "Authorization");
    const char *x = soup_message_headers_get_one (h, "X-Callback-Secret");
    bool ok = secret_matches (secret, x)
              || (auth && g_str_has_prefix (auth, "Bearer ")
                  && secret_matches (secret, auth + 7));
    if (!ok) {
      GST_WARNING_OBJECT (owner_,
                          "status callback with a wrong secret refused");
      return { SOUP_STATUS_UNAUTHORIZED, "{\"error\":\"bad secret\"}" };
    }
  }
  std::string alias;
  if (g_str_has_prefix (path, "/callbacks/")) {
    gchar *un = g_uri_unescape_string (path + strlen ("/callbacks/"), nullptr);
    alias = un ? un : "";
    g_free (un);
  } else if (g_strcmp0 (path, "/callbacks") != 0) {
    return { SOUP_STATUS_NOT_FOUND, "{\"error\":\"not found\"}" };
  }
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  GBytes *bytes = soup_message_body_flatten (body);
  gsize len = 0;
  const char *d = static_cast<const char *> (g_bytes_get_data (bytes, &len));
  std::string text (d ? d : "", len);
  g_bytes_unref (bytes);
  return handler_ (alias, text);
}

} // namespace resilient::gst
