/* Test helpers: a scripted SoupServer on its own thread (discovery server)
 * and a blocking POST (status callbacks). */
#pragma once

#include <arpa/inet.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <chrono>
#include <thread>

namespace cluster_test {

struct Reply
{
  guint status = 200;
  std::string body;
  bool hang = false; /* never answer */
};

class ScriptedHttpServer
{
public:
  ScriptedHttpServer ()
  {
    context_ = g_main_context_new ();
    loop_ = g_main_loop_new (context_, FALSE);
    std::unique_lock<std::mutex> g (m_);
    thread_ = std::thread ([this] { run (); });
    cv_.wait (g, [this] { return port_ != 0; });
  }
  ~ScriptedHttpServer ()
  {
    GSource *s = g_idle_source_new ();
    g_source_set_callback (
        s,
        [] (gpointer l) -> gboolean {
          g_main_loop_quit (static_cast<GMainLoop *> (l));
          return G_SOURCE_REMOVE;
        },
        loop_, nullptr);
    g_source_attach (s, context_);
    g_source_unref (s);
    thread_.join ();
    g_main_loop_unref (loop_);
    g_main_context_unref (context_);
  }

  void set (const std::string &path, Reply r)
  {
    std::lock_guard<std::mutex> g (m_);
    replies_[path] = std::move (r);
  }
  int hits (const std::string &path)
  {
    std::lock_guard<std::mutex> g (m_);
    return hits_[path];
  }
  std::string last_auth ()
  {
    std::lock_guard<std::mutex> g (m_);
    return last_auth_;
  }
  std::string url (const std::string &path) const
  {
    return "http://127.0.0.1:" + std::to_string (port_) + path;
  }

private:
  void run ()
  {
    g_main_context_push_thread_default (context_);
    SoupServer *server = soup_server_new (nullptr, nullptr);
    soup_server_add_handler (server, nullptr, handle, this, nullptr);
    GError *err = nullptr;
    soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &err);
    GSList *uris = soup_server_get_uris (server);
    {
      std::lock_guard<std::mutex> g (m_);
      port_ = uris ? g_uri_get_port (static_cast<GUri *> (uris->data)) : -1;
    }
    g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
    cv_.notify_all ();
    g_main_loop_run (loop_);
    soup_server_disconnect (server);
    g_object_unref (server);
    g_main_context_pop_thread_default (context_);
  }
  static void handle (SoupServer *, SoupServerMessage *msg, const char *path,
                      GHashTable *, gpointer data)
  {
    auto *self = static_cast<ScriptedHttpServer *> (data);
    Reply r{ 404, "{}", false };
    {
      std::lock_guard<std::mutex> g (self->m_);
      self->hits_[path]++;
      const char *auth = soup_message_headers_get_one (
          soup_server_message_get_request_headers (msg), "Authorization");
      self->last_auth_ = auth ? auth : "";
      auto it = self->replies_.find (path);
      if (it != self->replies_.end ())
        r = it->second;
    }
    if (r.hang) {
      soup_server_message_pause (msg);
      return;
    }
    soup_server_message_set_status (msg, r.status, nullptr);
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                      r.body.data (), r.body.size ());
  }

  GMainContext *context_;
  GMainLoop *loop_;
  std::thread thread_;
  std::mutex m_;
  std::condition_variable cv_;
  int port_ = 0;
  std::map<std::string, Reply> replies_;
  std::map<std::string, int> hits_;
  std::string last_auth_;
};

/* POSTs `body` and returns the HTTP status (0 on transport failure). */
inline guint
http_post (const std::string &url, const std::string &body,
           const std::map<std::string, std::string> &headers = {})
{
  SoupSession *session = soup_session_new ();
  SoupMessage *msg = soup_message_new ("POST", url.c_str ());
  for (auto &[k, v] : headers)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  k.c_str (), v.c_str ());
  GBytes *b = g_bytes_new (body.data (), body.size ());
  soup_message_set_request_body_from_bytes (msg, "application/json", b);
  g_bytes_unref (b);
  GError *err = nullptr;
  GBytes *resp = soup_session_send_and_read (session, msg, nullptr, &err);
  guint status = resp ? soup_message_get_status (msg) : 0;
  if (resp)
    g_bytes_unref (resp);
  g_clear_error (&err);
  g_object_unref (msg);
  g_object_unref (session);
  return status;
}

/* A TCP listener on 127.0.0.1 that accepts (by backlog) and never reads. */
class TcpListener
{
public:
  explicit TcpListener (int backlog = 64)
  {
    fd_ = ::socket (AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt (fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    ::bind (fd_, reinterpret_cast<sockaddr *> (&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname (fd_, reinterpret_cast<sockaddr *> (&a), &len);
    port_ = ntohs (a.sin_port);
    ::listen (fd_, backlog);
  }
  ~TcpListener () { ::close (fd_); }
  int port () const { return port_; }

private:
  int fd_ = -1;
  int port_ = 0;
};

/* A host that never answers: a listener whose accept queue is full, so the
 * kernel drops further SYNs and a connect() hangs until its timeout. */
class HungHost
{
public:
  HungHost () : listener_ (0)
  {
    for (int i = 0; i < 3; i++) {
      int fd = ::socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      a.sin_port = htons (listener_.port ());
      ::connect (fd, reinterpret_cast<sockaddr *> (&a), sizeof a);
      fillers_[i] = fd;
    }
    /* let the handshakes of the fillers complete (real TCP on loopback:
     * the kernel's accept queue, no clock of ours) */
    std::this_thread::sleep_for (std::chrono::milliseconds (50));
  }
  ~HungHost ()
  {
    for (int fd : fillers_)
      ::close (fd);
  }
  int port () const { return listener_.port (); }

private:
  TcpListener listener_;
  int fillers_[3];
};

/* A port on 127.0.0.1 where nothing listens (connections are refused). */
inline int
closed_port ()
{
  int fd = ::socket (AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ::bind (fd, reinterpret_cast<sockaddr *> (&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname (fd, reinterpret_cast<sockaddr *> (&a), &len);
  ::close (fd);
  return ntohs (a.sin_port);
}

} // namespace cluster_test
