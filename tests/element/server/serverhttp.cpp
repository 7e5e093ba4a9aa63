/* Helpers of the server element tests: raw HTTP exchanges, fd and thread
 * counts, start errors. */
#include "element/server/serverhttp.h"

#include "fixtures/buspump.h"
#include "fixtures/process.h"

#include <gio/gio.h>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;

namespace servertest {

std::string
HttpAnswer::header (const std::string &name) const
{
  std::string lower_head = head;
  std::string n = name + ":";
  for (auto &c : lower_head)
    c = (char)std::tolower ((unsigned char)c);
  for (auto &c : n)
    c = (char)std::tolower ((unsigned char)c);
  auto p = lower_head.find ("\r\n" + n);
  if (p == std::string::npos)
    return {};
  p += 2 + n.size ();
  auto e = head.find ("\r\n", p);
  std::string v = head.substr (p, e - p);
  while (!v.empty () && v.front () == ' ')
    v.erase (0, 1);
  return v;
}

bool
wait_for (const std::function<bool ()> &pred, std::chrono::milliseconds t)
{
  auto end = std::chrono::steady_clock::now () + t;
  while (std::chrono::steady_clock::now () < end) {
    if (pred ())
      return true;
    std::this_thread::sleep_for (20ms);
  }
  return pred ();
}

/* "tcp 0100007F:1F90 0100007F:C350 st 01" for a socket inode, from
 * /proc/net (diagnostics of a leaked fd). */
static std::string
socket_info (const std::string &inode)
{
  for (const char *f : { "tcp", "udp", "tcp6", "udp6" }) {
    std::ifstream in (std::string ("/proc/net/") + f);
    std::string line;
    while (std::getline (in, line)) {
      std::istringstream ls (line);
      std::string sl, local, remote, st, q, tr, rt, uid, to, ino;
      ls >> sl >> local >> remote >> st >> q >> tr >> rt >> uid >> to >> ino;
      if (ino == inode)
        return std::string (f) + " " + local + " " + remote + " st " + st;
    }
  }
  return "?";
}

std::string
fd_list ()
{
  std::string out;
  GDir *d = g_dir_open ("/proc/self/fd", 0, nullptr);
  while (const char *n = d ? g_dir_read_name (d) : nullptr) {
    gchar *t = g_file_read_link (("/proc/self/fd/" + std::string (n)).c_str (),
                                 nullptr);
    std::string target = t ? t : "?";
    if (target.rfind ("socket:[", 0) == 0)
      target += "(" + socket_info (target.substr (8, target.size () - 9)) + ")";
    out += std::string (n) + "->" + target + " ";
    g_free (t);
  }
  if (d)
    g_dir_close (d);
  return out;
}

int
threads_now ()
{
  std::ifstream in ("/proc/self/status");
  std::string line;
  while (std::getline (in, line))
    if (line.rfind ("Threads:", 0) == 0)
      return std::stoi (line.substr (8));
  return -1;
}

/* One raw HTTP/1.1 exchange on 127.0.0.1:port (Connection: close). */
HttpAnswer
raw_http (int port, const std::string &request)
{
  HttpAnswer a;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  timeval tv{ 10, 0 };
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (sockaddr *)&sa, sizeof sa) != 0) {
    close (fd);
    return a;
  }
  std::size_t off = 0;
  while (off < request.size ()) {
    ssize_t n
        = send (fd, request.data () + off, request.size () - off, MSG_NOSIGNAL);
    if (n <= 0)
      break; /* the server may answer and close before a huge body ends */
    off += n;
  }
  shutdown (fd, SHUT_WR);
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = recv (fd, buf, sizeof buf, 0)) > 0)
    resp.append (buf, n);
  close (fd);
  auto he = resp.find ("\r\n\r\n");
  a.head = resp.substr (0, he == std::string::npos ? resp.size () : he);
  a.body = he == std::string::npos ? "" : resp.substr (he + 4);
  if (resp.rfind ("HTTP/1.", 0) == 0 && resp.size () > 12)
    a.status = std::atoi (resp.c_str () + 9);
  return a;
}

std::string
request (const std::string &method, const std::string &path,
         const std::string &ct, const std::string &body,
         const std::string &extra)
{
  std::string r = method + " " + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Connection: close\r\n";
  if (!ct.empty ())
    r += "Content-Type: " + ct + "\r\n";
  r += extra;
  r += "Content-Length: " + std::to_string (body.size ()) + "\r\n\r\n" + body;
  return r;
}

/* A pipeline whose element cannot start: the state change fails
 * and the ERROR names `what`. */
void
expect_start_error (const std::string &desc, const std::string &what)
{
  GstElement *p = gst_parse_launch (desc.c_str (), nullptr);
  fixtures::BusPump bus (p);
  EXPECT_EQ (gst_element_set_state (p, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);
  GstMessage *err = bus.wait (fixtures::is_error, 2000ms);
  ASSERT_TRUE (err);
  GError *e = nullptr;
  gst_message_parse_error (err, &e, nullptr);
  EXPECT_NE (std::string (e->message).find (what), std::string::npos)
      << e->message;
  g_error_free (e);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

/* One request over TLS (any certificate accepted: the test's own
 * self-signed one); the raw answer, empty when TLS failed. */
std::string
https_request (int port, const std::string &request)
{
  GSocketClient *client = g_socket_client_new ();
  g_socket_client_set_tls (client, TRUE);
  g_socket_client_set_timeout (client, 10);
  g_signal_connect (
      client, "event",
      G_CALLBACK (+[] (GSocketClient *, GSocketClientEvent ev,
                       GSocketConnectable *, GIOStream *conn, gpointer) {
        if (ev == G_SOCKET_CLIENT_TLS_HANDSHAKING)
          g_signal_connect (
              conn, "accept-certificate",
              G_CALLBACK (+[] (GTlsConnection *, GTlsCertificate *,
                               GTlsCertificateFlags,
                               gpointer) -> gboolean { return TRUE; }),
              nullptr);
      }),
      nullptr);
  GError *err = nullptr;
  GSocketConnection *conn = g_socket_client_connect_to_host (
      client, "127.0.0.1", (guint16)port, nullptr, &err);
  g_object_unref (client);
  if (!conn) {
    g_clear_error (&err);
    return {};
  }
  std::string resp;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  if (g_output_stream_write_all (out, request.data (), request.size (), nullptr,
                                 nullptr, nullptr)) {
    char buf[4096];
    gssize n;
    while ((n = g_input_stream_read (in, buf, sizeof buf, nullptr, nullptr))
           > 0)
      resp.append (buf, (size_t)n);
  }
  g_object_unref (conn);
  return resp;
}

void
expect_nothing_left (int fds0, int threads0, const std::string &fds_before)
{
  EXPECT_TRUE (wait_for ([&] { return fixtures::open_fds () <= fds0; }, 5s))
      << fixtures::open_fds () << " fds open, " << fds0
      << " before: " << fd_list () << "\nbefore: " << fds_before;
  EXPECT_TRUE (wait_for ([&] { return threads_now () <= threads0; }, 5s))
      << threads_now () << " threads, " << threads0 << " before";
}

} // namespace servertest
