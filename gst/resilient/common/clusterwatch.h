/* gst-resilient: the one way an element listens to a clusterresolver's
 * status callbacks for a cluster:// input or output.
 *
 * The resolver's listener thread calls the watch when a host (or a stream
 * on it) is reported down. The watch holds only a weak reference to the
 * element (a ClusterClient may outlive it), says what went down with the
 * host redacted, and hands the element's `on_loop` the description on the
 * element's ControlLoop, with the element kept alive for that task. */
#pragma once

#include "common/messages.h"
#include "common/selfref.h"
#include "resilient/cluster/cluster.h"

#include <functional>
#include <memory>
#include <string>

namespace resilient::gst {

template <typename Element>
void
watch_cluster_down (
    Element *self, const std::shared_ptr<cluster::ClusterClient> &client,
    std::function<void (Element *self, const std::string &what)> on_loop)
{
  auto weak = std::shared_ptr<GWeakRef> (new GWeakRef, [] (GWeakRef *w) {
    g_weak_ref_clear (w);
    delete w;
  });
  g_weak_ref_init (weak.get (), self);
  client->watch ([weak, on_loop] (const cluster::DownNotice &n) {
    auto *s = static_cast<Element *> (g_weak_ref_get (weak.get ()));
    if (!s)
      return;
    std::string what = n.stream.empty () ? "host " + redact_uri (n.host)
                                         : "stream '" + n.stream + "'";
    s->priv->loop.post ([keep = SelfRef<Element> (s), what, on_loop] {
      on_loop (keep.p, what);
    });
    gst_object_unref (s);
  });
}

} // namespace resilient::gst
