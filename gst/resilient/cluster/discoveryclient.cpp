#include "cluster/discoveryclient.h"

#include "common/messages.h"
#include "resilient/cluster/discovery.h"

#include <optional>

GST_DEBUG_CATEGORY_EXTERN (gst_cluster_resolver_debug);
#define GST_CAT_DEFAULT gst_cluster_resolver_debug

namespace resilient::gst {

using cluster::Cluster;
using cluster::Resolver;

static constexpr const char *kTokenEnv = "RESILIENT_DISCOVERY_TOKEN";

static std::string
request_url (const std::string &tmpl, const std::string &path)
{
  std::string out = tmpl;
  auto pos = out.find ("{alias}");
  if (pos != std::string::npos) {
    gchar *esc = g_uri_escape_string (path.c_str (), "/", FALSE);
    out.replace (pos, 7, esc);
    g_free (esc);
  }
  return out;
}

void
DiscoveryClient::configure (Settings settings)
{
  std::lock_guard<std::mutex> g (lock_);
  if (settings.url_template != settings_.url_template)
    next_fetch_.clear ();
  settings_ = std::move (settings);
}

std::string
DiscoveryClient::token () const
{
  if (settings_.token.empty () && g_getenv (kTokenEnv))
    return g_getenv (kTokenEnv);
  return settings_.token;
}

void
DiscoveryClient::before_resolve (const std::shared_ptr<Cluster> &cluster,
                                 const std::string &path)
{
  std::string request, tok;
  guint timeout_ms;
  {
    std::lock_guard<std::mutex> g (lock_);
    if (settings_.url_template.empty () || !loop_.running ()
        || loop_.on_loop_thread ())
      return;
    request = request_url (settings_.url_template, path);
    gint64 now = g_get_monotonic_time ();
    auto it = next_fetch_.find (request);
    if (it != next_fetch_.end () && it->second > now)
      return;
    timeout_ms = settings_.timeout_ms;
    /* concurrent resolutions do not fetch twice */
    next_fetch_[request] = now + gint64 (timeout_ms) * 1000;
    tok = token ();
  }
  FetchResult r = fetcher_.fetch_and_wait (request, tok, timeout_ms);
  if (r.error == "not running")
    return;
  apply (cluster, request, path, r);
}

/* Applies a fetch result (any thread). */
void
DiscoveryClient::apply (const std::shared_ptr<Cluster> &c,
                        const std::string &request, const std::string &path,
                        const FetchResult &r)
{
  guint ttl_ms;
  {
    std::lock_guard<std::mutex> g (lock_);
    ttl_ms = settings_.ttl_ms;
  }
  std::string error;
  std::optional<cluster::DiscoveryAnswer> answer;
  if (!r.error.empty ())
    error = r.error;
  else if (r.status < 200 || r.status >= 300)
    error = "HTTP status " + std::to_string (r.status);
  else
    answer = cluster::parse_discovery (r.body, error); /* sets error */
  TimePoint now = c->now ();
  Duration ttl = ms (ttl_ms);
  if (answer && answer->steering) {
    std::vector<cluster::Host> hosts;
    c->inspect ([&] (const Resolver &res) {
      hosts = cluster::steering_hosts (*answer->steering, res.hosts ());
    });
    if (hosts.empty ()) {
      error = "steering manifest names no known pathway";
      answer.reset ();
    } else {
      ttl = answer->steering->ttl;
      c->configure ([&] (Resolver &res) {
        res.set_steering (cluster::SteeringOrder{ hosts, now + ttl });
      });
      GST_INFO_OBJECT (owner_,
                       "steering: %zu pathways for %" G_GINT64_FORMAT " ms",
                       hosts.size (), (gint64)to_ms (ttl));
    }
  } else if (answer && answer->endpoint) {
    if (answer->endpoint->ttl)
      ttl = *answer->endpoint->ttl;
    c->configure ([&] (Resolver &res) {
      res.set_endpoint (path, answer->endpoint->url, now + ttl);
    });
    GST_INFO_OBJECT (owner_, "discovery: '%s' -> %s", path.c_str (),
                     redact_uri (answer->endpoint->url).c_str ());
  }
  c->count_discovery (answer.has_value ());
  gint64 next = g_get_monotonic_time ()
                + (answer ? to_ms (ttl) : gint64 (kRetryMs)) * 1000;
  if (answer && answer->steering)
    schedule_refresh (c,
                      answer->steering->reload_uri.empty ()
                          ? request
                          : answer->steering->reload_uri,
                      path, ttl);
  {
    std::lock_guard<std::mutex> g (lock_);
    next_fetch_[request] = next;
  }
  if (!answer)
    warn_failed (request, path, r.status, error);
}

void
DiscoveryClient::warn_failed (const std::string &request,
                              const std::string &path, guint status,
                              const std::string &error)
{
  std::string where = redact_uri (request);
  GST_ELEMENT_WARNING (owner_, RESOURCE, READ,
                       ("Endpoint discovery failed; using the host list."),
                       ("%s: %s", where.c_str (), error.c_str ()));
  post_element_message (
      owner_,
      gst_structure_new ("clusterresolver-discovery-failed", "url",
                         G_TYPE_STRING, where.c_str (), "path", G_TYPE_STRING,
                         path.c_str (), "status-code", G_TYPE_UINT, status,
                         "reason", G_TYPE_STRING, error.c_str (), nullptr));
}

void
DiscoveryClient::schedule_refresh (const std::shared_ptr<Cluster> &c,
                                   const std::string &url,
                                   const std::string &path, Duration ttl)
{
  std::string tok;
  guint timeout_ms;
  {
    std::lock_guard<std::mutex> g (lock_);
    tok = token ();
    timeout_ms = settings_.timeout_ms;
    if (refresh_timer_)
      loop_.cancel (refresh_timer_);
    refresh_timer_ = 0;
  }
  /* The Cluster is held weakly: a refresh never keeps it alive. */
  std::weak_ptr<Cluster> weak = c;
  GstClock *clock = gst_system_clock_obtain ();
  ControlLoop::TimerId id = loop_.schedule_in (
      clock, to_ns (ttl), [this, weak, url, path, tok, timeout_ms] {
        fetcher_.start (url, tok, timeout_ms,
                        [this, weak, url, path] (FetchResult r) {
                          if (auto c = weak.lock ())
                            apply (c, url, path, r);
                        });
      });
  gst_object_unref (clock);
  std::lock_guard<std::mutex> g (lock_);
  refresh_timer_ = id;
}

void
DiscoveryClient::stop ()
{
  {
    std::lock_guard<std::mutex> g (lock_);
    if (refresh_timer_)
      loop_.cancel (refresh_timer_);
    refresh_timer_ = 0;
  }
  loop_.post_and_wait ([this] { fetcher_.shutdown (); });
}

} // namespace resilient::gst
