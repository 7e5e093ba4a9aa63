/* gst-resilient: a bin whose preroll is its own business (see livebin.h). */
#include "common/livebin.h"

struct _ResLiveBin
{
  GstBin parent;
};

G_DEFINE_TYPE (ResLiveBin, res_live_bin, GST_TYPE_BIN)

static GstStateChangeReturn
res_live_bin_change_state (GstElement *element, GstStateChange transition)
{
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (res_live_bin_parent_class)
                                 ->change_state (element, transition);
  return ret == GST_STATE_CHANGE_ASYNC ? GST_STATE_CHANGE_SUCCESS : ret;
}

static void
res_live_bin_class_init (ResLiveBinClass *klass)
{
  GST_ELEMENT_CLASS (klass)->change_state
      = GST_DEBUG_FUNCPTR (res_live_bin_change_state);
}

static void
res_live_bin_init (ResLiveBin *self)
{
  g_object_set (self, "async-handling", TRUE, nullptr);
}

GstElement *
res_live_bin_new (const gchar *name)
{
  return GST_ELEMENT (g_object_new (RES_TYPE_LIVE_BIN, "name", name, nullptr));
}
