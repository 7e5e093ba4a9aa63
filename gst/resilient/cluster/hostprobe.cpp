#include "cluster/hostprobe.h"

#include <gio/gio.h>

#include <cstring>

namespace resilient::gst {

static gint
default_port (const char *scheme)
{
  static const struct
  {
    const char *scheme;
    gint port;
  } ports[] = {
    { "rtmp", 1935 }, { "rtmps", 443 }, { "rtmpt", 80 }, { "rtsp", 554 },
    { "rtsps", 322 }, { "rtspt", 554 }, { "http", 80 },  { "https", 443 },
    { "ws", 80 },     { "wss", 443 },   { "icy", 80 },   { "tcp", -1 },
  };
  for (auto &p : ports)
    if (g_ascii_strcasecmp (scheme, p.scheme) == 0)
      return p.port;
  return -1;
}

/* An RTMP server that accepts TCP but does not run (stopped, overloaded)
 * is only seen at the protocol level: send C0+C1 and wait for S0. */
static gboolean
rtmp_handshake_answers (GSocket *sock, gint64 deadline, std::string &reason)
{
  gchar c0c1[1537];
  memset (c0c1, 0, sizeof c0c1);
  c0c1[0] = 3;
  for (size_t i = 9; i < sizeof c0c1; i++)
    c0c1[i] = (gchar)g_random_int_range (0, 256);
  GError *err = nullptr;
  gsize sent = 0;
  while (sent < sizeof c0c1) {
    gint64 left = deadline - g_get_monotonic_time ();
    if (left <= 0
        || !g_socket_condition_timed_wait (sock, G_IO_OUT, left, nullptr,
                                           nullptr)) {
      reason = "timeout";
      return FALSE;
    }
    gssize n
        = g_socket_send (sock, c0c1 + sent, sizeof c0c1 - sent, nullptr, &err);
    if (n < 0) {
      if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        g_clear_error (&err);
        continue;
      }
      reason = err->message;
      g_clear_error (&err);
      return FALSE;
    }
    sent += n;
  }
  gint64 left = deadline - g_get_monotonic_time ();
  if (left <= 0
      || !g_socket_condition_timed_wait (sock, G_IO_IN, left, nullptr,
                                         nullptr)) {
    reason = "timeout";
    return FALSE;
  }
  gchar s0 = 0;
  gssize n = g_socket_receive (sock, &s0, 1, nullptr, &err);
  if (n != 1 || s0 != 3) {
    reason = n == 0 ? "connection closed during the RTMP handshake"
             : err  ? err->message
                    : "not an RTMP server";
    g_clear_error (&err);
    return FALSE;
  }
  return TRUE;
}

bool
probe_host_url (const std::string &url, guint timeout_ms, std::string &reason,
                bool &skipped)
{
  skipped = false;
  GError *err = nullptr;
  GUri *uri = g_uri_parse (url.c_str (), G_URI_FLAGS_NONE, &err);
  if (!uri) {
    reason = std::string ("invalid URL: ") + err->message;
    g_clear_error (&err);
    return FALSE;
  }
  const char *host = g_uri_get_host (uri);
  gint port = g_uri_get_port (uri);
  if (port < 0)
    port = default_port (g_uri_get_scheme (uri));
  if (!host || !*host || port <= 0) {
    g_uri_unref (uri);
    skipped = true;
    return TRUE;
  }
  gint64 deadline = g_get_monotonic_time () + gint64 (timeout_ms) * 1000;
  bool rtmp = g_ascii_strcasecmp (g_uri_get_scheme (uri), "rtmp") == 0;
  GResolver *resolver = g_resolver_get_default ();
  GList *addrs = g_resolver_lookup_by_name (resolver, host, nullptr, &err);
  g_object_unref (resolver);
  g_uri_unref (uri);
  if (!addrs) {
    reason = std::string ("cannot resolve host: ") + err->message;
    g_clear_error (&err);
    return FALSE;
  }
  gboolean ok = FALSE;
  reason = "no address";
  for (GList *l = addrs; l && !ok; l = l->next) {
    GInetAddress *addr = G_INET_ADDRESS (l->data);
    GSocket *sock
        = g_socket_new (g_inet_address_get_family (addr), G_SOCKET_TYPE_STREAM,
                        G_SOCKET_PROTOCOL_TCP, &err);
    if (!sock) {
      reason = err->message;
      g_clear_error (&err);
      continue;
    }
    g_socket_set_blocking (sock, FALSE);
    GSocketAddress *sa = g_inet_socket_address_new (addr, port);
    if (g_socket_connect (sock, sa, nullptr, &err)) {
      ok = TRUE;
    } else if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_PENDING)) {
      g_clear_error (&err);
      gint64 left = deadline - g_get_monotonic_time ();
      if (left <= 0) {
        reason = "timeout";
      } else if (!g_socket_condition_timed_wait (sock, G_IO_OUT, left, nullptr,
                                                 &err)) {
        reason = g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
                     ? "timeout"
                     : err->message;
        g_clear_error (&err);
      } else if (g_socket_check_connect_result (sock, &err)) {
        ok = TRUE;
      } else {
        reason = err->message;
        g_clear_error (&err);
      }
    } else {
      reason = err->message;
      g_clear_error (&err);
    }
    if (ok && rtmp)
      ok = rtmp_handshake_answers (sock, deadline, reason);
    g_object_unref (sa);
    g_socket_close (sock, nullptr);
    g_object_unref (sock);
  }
  g_resolver_free_addresses (addrs);
  return ok;
}

} // namespace resilient::gst
