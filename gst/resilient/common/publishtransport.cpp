#include "common/publishtransport.h"
#include "common/codecs.h"

#include "common/messages.h"
#include "common/tcpinfo.h"
#include "config.h"
#include "resilient/restore/connection_claims.h"
#ifdef HAVE_WEBRTC
#include "common/whiptransport.h"
#endif

#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <map>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

using resilient::restore::FailureKind;

GST_DEBUG_CATEGORY_STATIC (rtmpconn_debug);
#define GST_CAT_DEFAULT rtmpconn_debug

namespace resilient::gst {

static std::string
scheme_of (const std::string &uri)
{
  auto p = uri.find ("://");
  if (p == std::string::npos)
    return {};
  std::string s = uri.substr (0, p);
  std::transform (s.begin (), s.end (), s.begin (),
                  [] (unsigned char c) { return std::tolower (c); });
  return s;
}

PublishTransport::PublishTransport (std::string uri)
    : uri_ (std::move (uri)), display_uri_ (redact_uri (uri_))
{
}

static GstPadProbeReturn
count_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *c = static_cast<PublishTransport::Counters *> (user_data);
  std::uint64_t bytes = 0, n = 0;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER (info);
    bytes = gst_buffer_get_size (b);
    /* Stream headers are not media (rtmp2sink skips them before it waits
     * for the connection). */
    n = GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_HEADER) ? 0 : 1;
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *l = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    bytes = gst_buffer_list_calculate_size (l);
    n = gst_buffer_list_length (l);
  }
  c->bytes += bytes;
  c->buffers += n;
  return GST_PAD_PROBE_OK;
}

void
PublishTransport::count_bytes_into (GstElement *sink)
{
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  if (!pad)
    return;
  gst_pad_add_probe (pad,
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                     count_probe, &counters_, nullptr);
  gst_object_unref (pad);
}

static GstElement *
make (const char *factory, std::string &error)
{
  GstElement *e = gst_element_factory_make (factory, nullptr);
  if (!e)
    error = std::string ("element '") + factory
            + "' is missing: install the GStreamer plugin that provides it";
  return e;
}

/* Links `src` through an optional parser to a request pad of `mux`. */
static bool
link_stream (GstBin *bin, GstElement *src, const char *parser, GstElement *mux,
             const char *pad_template, std::string &error)
{
  GstElement *upstream = src;
  if (parser) {
    GstElement *p = make (parser, error);
    if (!p)
      return false;
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (p),
                                      "config-interval"))
      g_object_set (p, "config-interval", -1, nullptr);
    gst_bin_add (bin, p);
    if (!gst_element_link (src, p)) {
      error = std::string ("cannot link to ") + parser;
      return false;
    }
    upstream = p;
  }
  if (!gst_element_link_pads (upstream, "src", mux, pad_template)) {
    error = std::string ("the muxer refused the stream (") + pad_template + ")";
    return false;
  }
  return true;
}

/* The parser to put before the muxer for an appsrc's codec (none for raw
 * or codecs that need none). */
static const char *
parser_for (GstElement *appsrc)
{
  const CodecInfo *c = codec_of_appsrc (appsrc);
  return c ? c->parser : nullptr;
}

static FailureKind
kind_from_gerror (const GError *err, bool &accepted, bool &closed)
{
  if (err->domain == GST_RESOURCE_ERROR) {
    switch (err->code) {
    case GST_RESOURCE_ERROR_NOT_AUTHORIZED:
      return FailureKind::Refused;
    case GST_RESOURCE_ERROR_NOT_FOUND:
      return FailureKind::ConnectFailed;
    case GST_RESOURCE_ERROR_OPEN_READ:
    case GST_RESOURCE_ERROR_OPEN_WRITE:
    case GST_RESOURCE_ERROR_OPEN_READ_WRITE:
      return FailureKind::ConnectFailed;
    case GST_RESOURCE_ERROR_SETTINGS:
      return FailureKind::LocalError;
    default:
      return FailureKind::ServerLost;
    }
  }
  if (err->domain == GST_CORE_ERROR && err->code == GST_CORE_ERROR_NEGOTIATION)
    return FailureKind::LocalError;
  if (err->domain == GST_STREAM_ERROR) {
    if (err->code == GST_STREAM_ERROR_FORMAT
        || err->code == GST_STREAM_ERROR_WRONG_TYPE
        || err->code == GST_STREAM_ERROR_CODEC_NOT_FOUND)
      return FailureKind::LocalError;
    /* A flow error: whoever failed first posts the real reason; this one
     * follows from it. */
    return FailureKind::ServerLost;
  }
  return FailureKind::ServerLost;
}

/* The muxer and the sink into `bin`, linked, and each stream given
 * (parsed) into the muxer's pad `*_pad`. */
static bool
link_muxed (GstBin *bin, GstElement *mux, GstElement *sink,
            GstElement *video_src, const char *video_pad,
            GstElement *audio_src, const char *audio_pad, std::string &error)
{
  gst_bin_add_many (bin, mux, sink, nullptr);
  if (!gst_element_link (mux, sink)) {
    error = std::string ("cannot link ")
            + GST_OBJECT_NAME (gst_element_get_factory (mux)) + " to "
            + GST_OBJECT_NAME (gst_element_get_factory (sink));
    return false;
  }
  if (video_src
      && !link_stream (bin, video_src, parser_for (video_src),
                       mux, video_pad, error))
    return false;
  if (audio_src
      && !link_stream (bin, audio_src, parser_for (audio_src),
                       mux, audio_pad, error))
    return false;
  return true;
}

/* An ERROR message's text; f.kind (accepted, closed_by_peer) as its GError
 * domain and code say. */
static std::string
error_text (GstMessage *msg, TransportFailure &f)
{
  GError *err = nullptr;
  gchar *dbg = nullptr;
  gst_message_parse_error (msg, &err, &dbg);
  f.kind = kind_from_gerror (err, f.accepted, f.closed_by_peer);
  std::string text = err->message ? err->message : "";
  g_error_free (err);
  g_free (dbg);
  return text;
}

/* ---------------------------------------------------------------- RTMP */

/* rtmp2sink (1.22) opens its TCP connection inside its own thread and
 * gives us no handle on it; three things need one:
 *
 * - Nagle: rtmp2sink leaves it on, so every command exchange of the
 *   connect (releaseStream, FCPublish, createStream are separate small
 *   writes) waited for the server's delayed ACK (~40 ms on Linux).
 *   TCP_NODELAY on our side.
 * - The server's Nagle: nginx-rtmp writes its answers to `connect` (window
 *   ack size, peer bandwidth, chunk size, _result) one by one without
 *   TCP_NODELAY, so each after the first waits for our ACK, which Linux
 *   delays (~40 ms) once the connection looks interactive. TCP_QUICKACK
 *   makes it ACK at once, but the kernel drops back to delayed ACKs after
 *   each of our writes, so it is set again whenever data arrives during the
 *   connect: a socket source at rtmp2sink's own priority in rtmp2sink's
 *   thread-default context, dispatched just before rtmp2sink's read.
 * - A stuck connect: against a server sending garbage, rtmp2's parser keeps
 *   its thread busy allocating what the garbage claims (hundreds of ms per
 *   8 KB read when malloc fills memory), and setting rtmp2sink to NULL
 *   waited for that thread for seconds to minutes: its stop is an idle
 *   source that never runs while input keeps coming, and a shutdown()
 *   leaves the data already received to be parsed first. The socket is
 *   closed instead, in rtmp2sink's thread (a source above its read's
 *   priority, so it runs right after the read under way): its next read
 *   fails, the connect fails, and its thread ends.
 *
 * GSocketClient emits "event" with the connection once the TCP connect is
 * done, before the handshake, in the connecting thread. A process-wide
 * emission hook gives the connection to the transport whose destination
 * it is (ConnectionClaims: other GSocketClients of the process, our own
 * TCP probes included, are left alone), sets TCP_NODELAY and TCP_QUICKACK,
 * attaches the quick-ACK source and keeps the socket and the thread's
 * context for the transport (released with the transport, after its
 * pipeline is NULL). */
struct RtmpConnection
{
  std::mutex lock;
  GSocket *socket = nullptr;
  GMainContext *context = nullptr; /* rtmp2sink's, where it uses the socket */
  bool aborted = false;
  /* Cleared once publishing (or torn down): no more quick-ACK re-arming. */
  std::atomic<bool> connecting{ true };
  /* The server sent more than kConnectBytes before the publish: closed. */
  std::atomic<bool> flooded{ false };
};

/* Closes `socket` from `context`'s thread, before its next read. */
static void
close_in (GMainContext *context, GSocket *socket)
{
  GSource *src = g_idle_source_new ();
  g_source_set_priority (src, G_PRIORITY_HIGH);
  g_source_set_callback (
      src,
      [] (gpointer p) -> gboolean {
        GST_DEBUG ("closing the connection (fd %d)",
                   g_socket_get_fd (G_SOCKET (p)));
        g_socket_close (G_SOCKET (p), nullptr);
        return G_SOURCE_REMOVE;
      },
      g_object_ref (socket), g_object_unref);
  g_source_attach (src, context);
  g_source_unref (src);
}

static std::mutex claims_lock;
static resilient::restore::ConnectionClaims claims;
static std::map<resilient::restore::ConnectionClaims::Id,
                std::shared_ptr<RtmpConnection>>
    claimed;

/* Dispatches of the quick-ACK source at most: the connect takes a handful
 * of reads; a server that floods is cut off by connect-timeout, and a
 * source left ready on a socket nobody reads any more cannot spin. */
static constexpr int kQuickAckDispatches = 256;

/* What a server sends during an RTMP connect: S0+S1+S2 (3073 bytes), then
 * a few control messages and command answers of a few hundred bytes each
 * (about 4 KB from nginx-rtmp). Past this, before the publish, the server
 * is not speaking RTMP (a garbage server, an HTTP or TLS port), and every
 * byte more is work for rtmp2's parser, which allocates what the bytes
 * claim and cannot be interrupted: the connection is closed. */
static constexpr std::size_t kConnectBytes = 32 * 1024;

struct QuickAck
{
  std::shared_ptr<RtmpConnection> conn;
  int left = kQuickAckDispatches;
};

static gboolean
quickack_again (GSocket *sock, GIOCondition cond, gpointer data)
{
  auto *q = static_cast<QuickAck *> (data);
  if (!q->conn->connecting.load () || --q->left <= 0
      || g_socket_is_closed (sock)
      || (cond & (G_IO_ERR | G_IO_HUP | G_IO_NVAL)))
    return G_SOURCE_REMOVE;
  /* Received by the kernel, read by rtmp2 or not: rtmp2 has parsed at
   * most that. */
  auto got = tcp_bytes_received (g_socket_get_fd (sock));
  if (got && *got > kConnectBytes) {
    GST_DEBUG ("fd %d: %" G_GUINT64_FORMAT " bytes and no publish yet: "
               "closing",
               g_socket_get_fd (sock), (guint64)*got);
    q->conn->flooded = true;
    g_socket_close (sock, nullptr);
    return G_SOURCE_REMOVE;
  }
  g_socket_set_option (sock, IPPROTO_TCP, TCP_QUICKACK, 1, nullptr);
  GST_TRACE ("quick ACK again on fd %d", g_socket_get_fd (sock));
  return G_SOURCE_CONTINUE;
}

static const char *const kNotAPublish = "resilient-not-a-publish";

void
mark_not_a_publish_connection (GSocketClient *client)
{
  g_object_set_data (G_OBJECT (client), kNotAPublish, GINT_TO_POINTER (1));
}

static gboolean
connected_hook (GSignalInvocationHint *, guint n, const GValue *params,
                gpointer)
{
  if (n < 4 || g_value_get_enum (&params[1]) != G_SOCKET_CLIENT_CONNECTED)
    return TRUE;
  auto *client = static_cast<GObject *> (g_value_get_object (&params[0]));
  auto *io = static_cast<GObject *> (g_value_get_object (&params[3]));
  if (!io || !G_IS_SOCKET_CONNECTION (io)
      || (client && g_object_get_data (client, kNotAPublish)))
    return TRUE;
  GSocket *sock = g_socket_connection_get_socket (G_SOCKET_CONNECTION (io));
  GSocketAddress *ra = g_socket_get_remote_address (sock, nullptr);
  int port = -1;
  if (ra && G_IS_INET_SOCKET_ADDRESS (ra))
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (ra));
  if (ra)
    g_object_unref (ra);
  std::string host;
  auto *where = static_cast<GObject *> (g_value_get_object (&params[2]));
  if (where && G_IS_NETWORK_ADDRESS (where))
    if (const char *h
        = g_network_address_get_hostname (G_NETWORK_ADDRESS (where)))
      host = h;
  std::shared_ptr<RtmpConnection> conn;
  {
    std::lock_guard<std::mutex> g (claims_lock);
    if (auto id = claims.claim (host, port))
      conn = claimed[*id];
  }
  if (!conn)
    return TRUE;
  GST_DEBUG ("connection to %s:%d (fd %d) is a publish session's",
             host.c_str (), port, g_socket_get_fd (sock));
  g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, nullptr);
  g_socket_set_option (sock, IPPROTO_TCP, TCP_QUICKACK, 1, nullptr);
  GMainContext *ctx = g_main_context_get_thread_default ();
  GSocket *old_sock;
  GMainContext *old_ctx;
  bool aborted;
  {
    std::lock_guard<std::mutex> g (conn->lock);
    /* A second connect of the session (authentication) replaces the
     * first. */
    old_sock = std::exchange (conn->socket, G_SOCKET (g_object_ref (sock)));
    old_ctx = std::exchange (conn->context,
                             ctx ? g_main_context_ref (ctx) : nullptr);
    aborted = conn->aborted;
  }
  if (old_sock)
    g_object_unref (old_sock);
  if (old_ctx)
    g_main_context_unref (old_ctx);
  if (aborted && ctx)
    close_in (ctx, sock);
  /* rtmp2sink connects from its own thread, with its own context as the
   * thread default; a connect from a thread without one is left alone. */
  if (ctx) {
    GSource *src = g_socket_create_source (sock, G_IO_IN, nullptr);
    g_source_set_priority (src, G_PRIORITY_DEFAULT);
    g_source_set_callback (
        src, G_SOURCE_FUNC (quickack_again), new QuickAck{ conn },
        [] (gpointer p) { delete static_cast<QuickAck *> (p); });
    g_source_attach (src, ctx);
    g_source_unref (src);
  }
  return TRUE;
}

/* The connection rtmp2sink will make to host:port, once it is made. */
static std::pair<resilient::restore::ConnectionClaims::Id,
                 std::shared_ptr<RtmpConnection>>
claim_connection (const std::string &host, int port)
{
  static gsize hooked = 0;
  if (g_once_init_enter (&hooked)) {
    GST_DEBUG_CATEGORY_INIT (
        rtmpconn_debug, "resrtmpconn", 0,
        "autorestoresink's hold on rtmp2sink's connection");
    GTypeClass *klass
        = static_cast<GTypeClass *> (g_type_class_ref (G_TYPE_SOCKET_CLIENT));
    g_signal_add_emission_hook (g_signal_lookup ("event", G_TYPE_SOCKET_CLIENT),
                                0, connected_hook, nullptr, nullptr);
    g_type_class_unref (klass);
    g_once_init_leave (&hooked, 1);
  }
  auto conn = std::make_shared<RtmpConnection> ();
  std::lock_guard<std::mutex> g (claims_lock);
  auto id = claims.add (host, port);
  claimed[id] = conn;
  return { id, conn };
}

static void
release_connection (resilient::restore::ConnectionClaims::Id id,
                    const std::shared_ptr<RtmpConnection> &conn)
{
  {
    std::lock_guard<std::mutex> g (claims_lock);
    claims.remove (id);
    claimed.erase (id);
  }
  conn->connecting = false;
  GSocket *sock;
  GMainContext *ctx;
  {
    std::lock_guard<std::mutex> g (conn->lock);
    sock = std::exchange (conn->socket, nullptr);
    ctx = std::exchange (conn->context, nullptr);
  }
  /* The pipeline is NULL: rtmp2sink's thread is over. */
  if (sock)
    g_object_unref (sock);
  if (ctx)
    g_main_context_unref (ctx);
}

class RtmpTransport : public PublishTransport
{
public:
  explicit RtmpTransport (const std::string &uri) : PublishTransport (uri) {}
  ~RtmpTransport () override
  {
    if (conn_)
      release_connection (claim_id_, conn_);
  }

  const char *protocol () const override { return "rtmp"; }

  bool accepts_codec (const std::string &codec) const override
  {
    /* FLV as rtmp2sink and nginx-rtmp carry it (no enhanced RTMP in 1.22). */
    return codec == "h264" || codec == "aac";
  }

  bool build (GstBin *bin, GstElement *video_src, GstElement *audio_src,
              std::string &error) override
  {
    GstElement *mux = make ("flvmux", error);
    if (!mux)
      return false;
    sink_ = make ("rtmp2sink", error);
    if (!sink_) {
      gst_object_unref (mux);
      return false;
    }
    g_object_set (mux, "streamable", TRUE, nullptr);
    /* Not live upstream of the muxer: the appsrcs feed it as fast as media
     * comes, the sink never waits for the clock. */
    g_object_set (sink_, "location", uri_.c_str (), "async-connect", TRUE,
                  "sync", FALSE, "async", FALSE, nullptr);
    if (!link_muxed (bin, mux, sink_, video_src, "video", audio_src, "audio",
                     error))
      return false;
    count_bytes_into (sink_);
    if (auto addr = tcp_probe_address (); addr && addr->second > 0)
      std::tie (claim_id_, conn_)
          = claim_connection (addr->first, addr->second);
    return true;
  }

  TransportHealth poll () override
  {
    TransportHealth h;
    h.bytes_out = probed_bytes ();
    /* rtmp2sink renders the first buffer only once the publish is
     * accepted, so a second media buffer entering it means media flows. */
    h.up = probed_buffers () >= 2;
    if (h.up && conn_)
      conn_->connecting = false;
    /* Its stats take the lock the connect holds: read them only once the
     * publish is up, so the control loop never waits on a connect. */
    if (!sink_ || !h.up)
      return h;
    GstStructure *s = nullptr;
    g_object_get (sink_, "stats", &s, nullptr);
    if (s) {
      guint64 total = 0, acked = 0;
      guint in_win = 0, out_win = 0;
      gst_structure_get_uint64 (s, "out-bytes-total", &total);
      gst_structure_get_uint64 (s, "out-bytes-acked", &acked);
      gst_structure_get_uint (s, "in-window-ack-size", &in_win);
      gst_structure_get_uint (s, "out-window-ack-size", &out_win);
      gst_structure_free (s);
      if (total > 0)
        h.bytes_out = total;
      if (acked != last_acked_) {
        last_acked_ = acked;
        pings_++;
      }
      guint64 win = std::max (in_win, out_win);
      /* The server acknowledges every window: more than two windows
       * unacknowledged means an acknowledgement is overdue. */
      h.owed = win > 0 && total > acked + 2 * win;
    }
    h.pings = pings_;
    return h;
  }

  TransportFailure classify (GstMessage *msg) override
  {
    TransportFailure f;
    std::string text = error_text (msg, f);
    /* rtmp2sink says "Failed to connect: ..." (or "Connection refused:")
     * for anything before the server answered the RTMP connect command
     * (TCP connect, handshake, connect command), and "Connection error:"
     * for an established connection. A server that accepts the TCP
     * connection and resets it, or closes it after the handshake (a load
     * balancer without backend, an ingest restarting), never saw a
     * publish request: that is a connect failure, never a refusal of the
     * stream key (issue 14, defect 3). An authorisation failure on the
     * connect command is NOT_AUTHORIZED (Refused) all the same. */
    const bool before_connect = text.rfind ("Failed to connect", 0) == 0
                                || text.rfind ("Connection refused", 0) == 0;
    if (before_connect) {
      if (f.kind != FailureKind::Refused && f.kind != FailureKind::LocalError)
        f.kind = FailureKind::ConnectFailed;
      /* The server accepted the TCP connection when it then reset or
       * closed it (GIO says "Could not connect to host: Connection reset
       * by peer" for a reset during the connect), not when the connect
       * was refused, timed out or found no route. */
      f.accepted = text.find ("reset by peer") != std::string::npos
                   || text.find ("closed") != std::string::npos
                   || text.find ("Broken pipe") != std::string::npos
                   || text.find ("cmd failed") != std::string::npos
                   || text.find ("Error receiving data") != std::string::npos
                   || text.find ("Error sending data") != std::string::npos;
      f.closed_by_peer = false;
    } else if (text.find ("closed remotely") != std::string::npos
               || text.find ("reset by peer") != std::string::npos
               || text.find ("Broken pipe") != std::string::npos) {
      f.kind = FailureKind::ServerLost;
      f.accepted = true;
      f.closed_by_peer = true;
    } else if (text.find ("refused") != std::string::npos
               || text.find ("Failed to connect") != std::string::npos
               || text.find ("timed out") != std::string::npos) {
      if (f.kind != FailureKind::Refused)
        f.kind = FailureKind::ConnectFailed;
    }
    /* NetStream.Publish.BadName ("Already publishing" in nginx-rtmp) says
     * the stream name is taken, not that the key is wrong: after a
     * republish or a restore it is our own previous session that the
     * server has not dropped yet (a server resumed after a stall reads
     * the old connection's backlog before it sees the close; with
     * TCP_NODELAY the new publish command can arrive first). The server
     * answered, so it is an accepted connect failure, retried on the
     * restore schedule, never a fatal refusal. */
    if (auto flood = connect_stall_reason ()) {
      f.kind = FailureKind::ConnectFailed;
      f.accepted = true;
      f.closed_by_peer = false;
      f.reason = *flood;
      return f;
    }
    if (text.find ("NetStream.Publish.BadName") != std::string::npos) {
      f.kind = FailureKind::ConnectFailed;
      f.accepted = true;
      f.closed_by_peer = false;
    }
    f.reason = text;
    return f;
  }

  std::optional<std::string> connect_stall_reason () const override
  {
    if (!conn_)
      return std::nullopt;
    bool flooded = conn_->flooded.load ();
    if (!flooded) {
      /* rtmp2's thread may be too busy parsing to have noticed: ask the
       * kernel (read-only; a descriptor closed meanwhile only fails). */
      GSocket *sock = nullptr;
      {
        std::lock_guard<std::mutex> g (conn_->lock);
        if (conn_->socket)
          sock = G_SOCKET (g_object_ref (conn_->socket));
      }
      if (sock) {
        auto got = tcp_bytes_received (g_socket_get_fd (sock));
        flooded = got && *got > kConnectBytes;
        g_object_unref (sock);
      }
    }
    if (!flooded)
      return std::nullopt;
    return "the server sent more than " + std::to_string (kConnectBytes / 1024)
           + " KB without completing the RTMP connect: it does not speak "
             "RTMP (is this an RTMP port?)";
  }

  void abort_connection () override
  {
    if (!conn_)
      return;
    conn_->connecting = false;
    GSocket *sock = nullptr;
    GMainContext *ctx = nullptr;
    {
      std::lock_guard<std::mutex> g (conn_->lock);
      if (conn_->aborted)
        return;
      conn_->aborted = true;
      if (conn_->socket && conn_->context) {
        sock = G_SOCKET (g_object_ref (conn_->socket));
        ctx = g_main_context_ref (conn_->context);
      }
    }
    GST_DEBUG ("ending the connection to %s%s", display_uri_.c_str (),
               sock ? "" : " (not connected yet)");
    if (sock) {
      close_in (ctx, sock);
      g_object_unref (sock);
      g_main_context_unref (ctx);
    }
  }

  std::optional<std::pair<std::string, int>> tcp_probe_address () const override
  {
    std::string host = "localhost";
    int port = scheme_of (uri_) == "rtmps" ? 443 : 1935;
    auto start = uri_.find ("://");
    if (start == std::string::npos)
      return std::nullopt;
    std::string hp = uri_.substr (start + 3);
    hp = hp.substr (0, hp.find ('/'));
    auto at = hp.rfind ('@');
    if (at != std::string::npos)
      hp = hp.substr (at + 1);
    auto colon = hp.rfind (':');
    if (colon != std::string::npos && hp.find (']') == std::string::npos) {
      port = std::atoi (hp.c_str () + colon + 1);
      hp = hp.substr (0, colon);
    }
    if (!hp.empty ())
      host = hp;
    return std::make_pair (host, port);
  }

private:
  GstElement *sink_ = nullptr;
  resilient::restore::ConnectionClaims::Id claim_id_ = 0;
  std::shared_ptr<RtmpConnection> conn_;
  guint64 last_acked_ = 0;
  std::uint64_t pings_ = 0;
};

/* ----------------------------------------------------------------- SRT */

/* mpegtsmux (1.22) flags the packets of the first keyframe it muxes as
 * HEADER, and srtsink drops every HEADER buffer once the caps carry stream
 * headers (it sends those itself on connect): the keyframe with SPS/PPS
 * would never leave, and a viewer could not decode anything. Only the
 * PAT/PMT are stream headers; media packets lose the flag here. */
static bool
is_psi (GstBuffer *b)
{
  GstMapInfo map;
  bool psi = false;
  if (gst_buffer_map (b, &map, GST_MAP_READ)) {
    /* PID 0 (PAT) in the first 188-byte packet: 0x47, then the PID. */
    psi = map.size >= 4 && map.data[0] == 0x47
          && (((map.data[1] & 0x1f) << 8) | map.data[2]) == 0;
    gst_buffer_unmap (b, &map);
  }
  return psi;
}

static gboolean
unflag_in_list (GstBuffer **b, guint idx, gpointer)
{
  if (GST_BUFFER_FLAG_IS_SET (*b, GST_BUFFER_FLAG_HEADER) && !is_psi (*b)) {
    *b = gst_buffer_make_writable (*b);
    GST_BUFFER_FLAG_UNSET (*b, GST_BUFFER_FLAG_HEADER);
  }
  return TRUE;
}

static GstPadProbeReturn
unflag_media_headers (GstPad *pad, GstPadProbeInfo *info, gpointer)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *l
        = gst_buffer_list_make_writable (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
    gst_buffer_list_foreach (l, unflag_in_list, nullptr);
    GST_PAD_PROBE_INFO_DATA (info) = l;
    return GST_PAD_PROBE_OK;
  }
  GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER (info);
  if (!GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_HEADER) || is_psi (b))
    return GST_PAD_PROBE_OK;
  b = gst_buffer_make_writable (b);
  GST_BUFFER_FLAG_UNSET (b, GST_BUFFER_FLAG_HEADER);
  GST_PAD_PROBE_INFO_DATA (info) = b;
  return GST_PAD_PROBE_OK;
}

class SrtTransport : public PublishTransport
{
public:
  explicit SrtTransport (const std::string &uri) : PublishTransport (uri) {}

  const char *protocol () const override { return "srt"; }

  bool accepts_codec (const std::string &codec) const override
  {
    return codec == "h264" || codec == "h265" || codec == "aac"
           || codec == "opus";
  }

  bool build (GstBin *bin, GstElement *video_src, GstElement *audio_src,
              std::string &error) override
  {
    GstElement *mux = make ("mpegtsmux", error);
    if (!mux)
      return false;
    sink_ = make ("srtsink", error);
    if (!sink_) {
      gst_object_unref (mux);
      return false;
    }
    /* The element restores; srtsink's own reconnect would hide failures. */
    g_object_set (sink_, "uri", uri_.c_str (), "sync", FALSE, "async", FALSE,
                  "auto-reconnect", FALSE, "wait-for-connection", FALSE,
                  nullptr);
    if (!link_muxed (bin, mux, sink_, video_src, "sink_%d", audio_src,
                     "sink_%d", error))
      return false;
    GstPad *pad = gst_element_get_static_pad (sink_, "sink");
    gst_pad_add_probe (pad,
                       (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                         | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                       unflag_media_headers, nullptr, nullptr);
    gst_object_unref (pad);
    count_bytes_into (sink_);
    return true;
  }

  TransportHealth poll () override
  {
    TransportHealth h;
    h.bytes_out = probed_bytes ();
    if (!sink_)
      return h;
    GstStructure *s = nullptr;
    g_object_get (sink_, "stats", &s, nullptr);
    if (!s)
      return h;
    /* Caller mode reports the socket's statistics at the top level; some
     * versions nest them in a "callers" array. */
    const GstStructure *st = s;
    const GValue *callers = gst_structure_get_value (s, "callers");
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS;
    if (callers && G_VALUE_HOLDS (callers, G_TYPE_VALUE_ARRAY)) {
      GValueArray *arr = (GValueArray *)g_value_get_boxed (callers);
      if (arr && arr->n_values > 0
          && G_VALUE_HOLDS (&arr->values[0], GST_TYPE_STRUCTURE))
        st = gst_value_get_structure (&arr->values[0]);
    }
    G_GNUC_END_IGNORE_DEPRECATIONS;
    gint acks = 0;
    guint64 sent = 0;
    gdouble rtt = -1;
    gst_structure_get_int (st, "packet-ack-received", &acks);
    gst_structure_get_uint64 (st, "bytes-sent", &sent);
    gst_structure_get_double (st, "rtt-ms", &rtt);
    gst_structure_free (s);
    if (sent > 0)
      h.bytes_out = sent;
    h.pings = static_cast<std::uint64_t> (std::max (acks, 0));
    h.up = acks > 0;
    /* SRT acknowledges about every 10 ms while data flows and keeps the
     * link alive with keep-alives: once up, an ACK is always due. */
    h.owed = h.up;
    h.rtt_ms = rtt;
    return h;
  }

  TransportFailure classify (GstMessage *msg) override
  {
    TransportFailure f;
    std::string text = error_text (msg, f);
    if (text.find ("Connection does not exist") != std::string::npos
        || text.find ("Connection setup failure") != std::string::npos
        || text.find ("timed out") != std::string::npos) {
      f.kind = FailureKind::ConnectFailed;
    } else if (text.find ("rejected") != std::string::npos) {
      /* SRT access control (streamid / passphrase) rejection. */
      f.kind = FailureKind::Refused;
      f.accepted = true;
    } else if (text.find ("broken") != std::string::npos
               || text.find ("Broken") != std::string::npos) {
      f.kind = FailureKind::ServerLost;
      f.accepted = true;
      f.closed_by_peer = true;
    }
    f.reason = text;
    return f;
  }

private:
  GstElement *sink_ = nullptr;
};

struct Detached
{
  std::thread thread;
  std::shared_ptr<std::atomic<bool>> done;
};
static std::mutex detached_lock;
static std::vector<Detached> detached;

void
teardown_detached (GstElement *pipeline,
                   std::unique_ptr<PublishTransport> transport)
{
  PublishTransport *t = transport.release ();
  auto done = std::make_shared<std::atomic<bool>> (false);
  std::vector<Detached> finished;
  {
    std::lock_guard<std::mutex> g (detached_lock);
    /* Reap the teardowns that are over (a long run fails many times). */
    for (auto it = detached.begin (); it != detached.end ();) {
      if (it->done->load ()) {
        finished.push_back (std::move (*it));
        it = detached.erase (it);
      } else {
        ++it;
      }
    }
    detached.push_back ({ std::thread ([pipeline, t, done] {
                            gst_element_set_state (pipeline, GST_STATE_NULL);
                            gst_object_unref (pipeline);
                            delete t;
                            done->store (true);
                          }),
                          done });
  }
  for (auto &d : finished)
    d.thread.join ();
}

void
wait_detached_teardowns ()
{
  std::vector<Detached> all;
  {
    std::lock_guard<std::mutex> g (detached_lock);
    all.swap (detached);
  }
  for (auto &d : all)
    d.thread.join ();
}

bool
publish_transport_supports (const std::string &uri)
{
  std::string s = scheme_of (uri);
  return s == "rtmp" || s == "rtmps" || s == "srt" || s == "whip"
         || s == "whips" || s == "http" || s == "https";
}

std::unique_ptr<PublishTransport>
make_publish_transport (const std::string &uri, std::string &error)
{
  std::string s = scheme_of (uri);
  if (s == "rtmp" || s == "rtmps")
    return std::make_unique<RtmpTransport> (uri);
  if (s == "srt")
    return std::make_unique<SrtTransport> (uri);
  if (s == "whip" || s == "whips" || s == "http" || s == "https") {
#ifdef HAVE_WEBRTC
    return make_whip_transport (uri);
#else
    error = "WHIP destinations need GStreamer's webrtc library and libsoup 3, "
            "which this build was configured without";
    return nullptr;
#endif
  }
  error = "unsupported destination '" + redact_uri (uri)
          + "': use rtmp://, rtmps://, srt://, whip://, whips:// or an "
            "http(s):// WHIP endpoint";
  return nullptr;
}

} // namespace resilient::gst
