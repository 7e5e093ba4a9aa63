/* gst-resilient: what a consumer of a cluster (failoversrc,
 * autorestoresink) needs, in one object per `cluster://` candidate.
 *
 *   ClusterClient c ("cluster://eu/cam1");
 *   if (!c.attach (error)) -> misconfiguration: no clusterresolver with
 *                             that cluster-id in this process
 *   c.watch ([loop](const DownNotice &n) { loop->post (...); });
 *   auto a = c.next ();     -> the URL to start now (nullopt: every host of
 *                             the plan failed; back off, then next () again
 *                             starts a fresh plan)
 *   c.succeeded ();         -> the URL produced media
 *   c.failed ("timeout");   -> it failed; next () gives the following host
 *   c.failed ("cluster-down") -> after a down notice: not remembered against
 *                             the host, next () resolves afresh
 *
 * next () reports the attempt (the resolver's `connect` signal and bus
 * message), succeeded ()/failed () feed the shared failure memory (and the
 * `connect-failed` signal), and the end of a plan reports `failed`. The
 * watch callback runs on the status-listener thread, only for notices that
 * hit the URL currently in use, and must only hand the work to the
 * consumer's own thread, where the consumer treats it as an immediate
 * failure with reason "cluster-down". Methods other than the callback are
 * called from one thread (the consumer's control loop); current () may be
 * read from any.
 */
#pragma once

#include "resilient/cluster/cluster.h"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace resilient::cluster {

/* The failure reason a consumer reports for a down notice. */
inline constexpr const char *kClusterDownReason = "cluster-down";

class ClusterClient
{
public:
  static bool is_cluster_uri (std::string_view uri)
  {
    return parse_cluster_uri (uri).has_value ();
  }

  explicit ClusterClient (std::string uri);
  ~ClusterClient ();
  ClusterClient (const ClusterClient &) = delete;
  ClusterClient &operator= (const ClusterClient &) = delete;

  /* Looks the cluster up in the Registry. */
  bool attach (std::string &error);
  bool attached () const { return cluster_ != nullptr; }

  std::optional<Attempt> next ();
  void succeeded ();
  void failed (const std::string &reason);

  void watch (std::function<void (const DownNotice &)> cb);

  const std::string &uri () const { return uri_; }
  const std::string &cluster_id () const { return id_; }
  const std::string &path () const { return path_; }
  std::optional<Attempt> current () const;
  /* Hosts of the current plan not tried yet: a consumer may go on to the
   * next one at once; when none is left, next () makes a fresh plan and the
   * consumer should wait its backoff first. */
  bool plan_left () const { return next_ < plan_.size (); }
  /* Why the last plan was empty or ran out ("stream-down", ...). */
  const std::string &last_note () const { return note_; }

private:
  std::string uri_, id_, path_;
  std::shared_ptr<Cluster> cluster_;
  std::vector<Attempt> plan_;
  size_t next_ = 0;
  std::string note_;
  /* Shared with the watch callback, which may still be running on the
   * listener thread while this object goes away. */
  struct Shared
  {
    std::mutex lock;
    std::optional<Attempt> current;
  };
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared> ();
  std::uint64_t sub_ = 0;
};

} // namespace resilient::cluster
