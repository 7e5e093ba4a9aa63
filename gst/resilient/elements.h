/* gst-resilient: one register declaration per element. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

GST_ELEMENT_REGISTER_DECLARE (failoversrc);
GST_ELEMENT_REGISTER_DECLARE (clusterresolver);
GST_ELEMENT_REGISTER_DECLARE (autorestoresink);
GST_ELEMENT_REGISTER_DECLARE (reswhepsrc);
GST_ELEMENT_REGISTER_DECLARE (reswhipsink);
GST_ELEMENT_REGISTER_DECLARE (reswhepserversink);
GST_ELEMENT_REGISTER_DECLARE (reswhipserversrc);

G_END_DECLS
