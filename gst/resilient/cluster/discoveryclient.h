/* gst-resilient: clusterresolver's endpoint discovery (an HTTP API that
 * names the best endpoint of a stream, or a content-steering manifest):
 * when to ask, asking (HttpFetcher on the loop), and applying the answer
 * to the Cluster. Parsing is lib/resilient/cluster/discovery. */
#pragma once

#include "cluster/httpfetch.h"
#include "common/controlloop.h"
#include "resilient/cluster/cluster.h"

#include <gst/gst.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace resilient::gst {

class DiscoveryClient
{
public:
  struct Settings
  {
    std::string url_template; /* empty: discovery off */
    std::string token;        /* empty: the environment's, if any */
    guint timeout_ms = 0;
    guint ttl_ms = 0;
  };

  /* `owner` receives the WARNING and the discovery-failed message; it
   * outlives this object (the element owns it). */
  DiscoveryClient (GstElement *owner, ControlLoop &loop)
      : owner_ (owner), loop_ (loop), fetcher_ (loop)
  {
  }

  /* Any thread. */
  void configure (Settings settings);
  /* The Cluster's resolve hook (the thread of whoever resolves, never the
   * loop): fetches the answer for `path` when none is fresh, waiting at
   * most the discovery timeout, and applies it. */
  void before_resolve (const std::shared_ptr<cluster::Cluster> &cluster,
                       const std::string &path);
  /* Any thread but the loop: cancels the steering refresh and aborts the
   * request in flight. */
  void stop ();

  static constexpr guint kRetryMs = 10000;

private:
  void apply (const std::shared_ptr<cluster::Cluster> &cluster,
              const std::string &request, const std::string &path,
              const FetchResult &r);
  void schedule_refresh (const std::shared_ptr<cluster::Cluster> &cluster,
                         const std::string &url, const std::string &path,
                         Duration ttl);
  void warn_failed (const std::string &request, const std::string &path,
                    guint status, const std::string &error);
  std::string token () const; /* lock_ held */

  GstElement *owner_;
  ControlLoop &loop_;
  HttpFetcher fetcher_;
  /* Lock order: taken alone (never with the element's lock held); the
   * ControlLoop's lock nests inside it. */
  mutable std::mutex lock_;
  Settings settings_;
  /* request URL -> monotonic µs before which it is not fetched again */
  std::map<std::string, gint64> next_fetch_;
  ControlLoop::TimerId refresh_timer_ = 0;
};

} // namespace resilient::gst
