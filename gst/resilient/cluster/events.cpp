#include "cluster/events.h"

#include "common/messages.h"

namespace resilient::gst {

using cluster::ClusterEvent;

static GstStructure *
host_event (const char *name, const std::string &cid, const std::string &host,
            const std::string &url, const ClusterEvent &ev)
{
  return gst_structure_new (
      name, "cluster-id", G_TYPE_STRING, cid.c_str (), "host", G_TYPE_STRING,
      host.c_str (), "index", G_TYPE_INT, ev.index, "url", G_TYPE_STRING,
      url.c_str (), "path", G_TYPE_STRING, ev.path.c_str (), nullptr);
}

void
post_cluster_event (GstElement *element, const std::string &cid,
                    const ClusterEvent &ev)
{
  std::string host = redact_uri (ev.host), url = redact_uri (ev.url);
  GstStructure *s = nullptr;
  switch (ev.kind) {
  case ClusterEvent::Kind::Connect:
    s = host_event ("clusterresolver-connect", cid, host, url, ev);
    break;
  case ClusterEvent::Kind::ConnectFailed:
    s = host_event ("clusterresolver-connect-failed", cid, host, url, ev);
    gst_structure_set (s, "reason", G_TYPE_STRING, ev.reason.c_str (), nullptr);
    break;
  case ClusterEvent::Kind::Connected:
    s = host_event ("clusterresolver-connected", cid, host, url, ev);
    break;
  case ClusterEvent::Kind::Failed:
    s = gst_structure_new ("clusterresolver-failed", "cluster-id",
                           G_TYPE_STRING, cid.c_str (), "path", G_TYPE_STRING,
                           ev.path.c_str (), "reason", G_TYPE_STRING,
                           ev.reason.c_str (), nullptr);
    break;
  case ClusterEvent::Kind::Status:
    s = gst_structure_new ("clusterresolver-status", "cluster-id",
                           G_TYPE_STRING, cid.c_str (), "stream", G_TYPE_STRING,
                           ev.path.c_str (), "host", G_TYPE_STRING,
                           host.c_str (), "online", G_TYPE_BOOLEAN,
                           ev.reason == "online", nullptr);
    break;
  }
  post_element_message (element, s);
}

} // namespace resilient::gst
