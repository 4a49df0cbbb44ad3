/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "traj-chart-private.h"
#include "traj-safe-file.h"

typedef enum {
  FORMAT_PNG,
  FORMAT_SVG,
  FORMAT_PDF,
} FileFormat;

static gboolean
format_for_path (const char *path, FileFormat *format)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".png"))
    *format = FORMAT_PNG;
  else if (g_str_has_suffix (lower, ".svg"))
    *format = FORMAT_SVG;
  else if (g_str_has_suffix (lower, ".pdf"))
    *format = FORMAT_PDF;
  else
    return FALSE;
  return TRUE;
}

static gboolean
check_status (cairo_status_t status, const char *path, GError **error)
{
  g_autofree char *display = NULL;

  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  display = g_filename_display_name (path);
  g_set_error (error, G_IO_ERROR,
               status == CAIRO_STATUS_WRITE_ERROR ? G_IO_ERROR_FAILED : G_IO_ERROR_INVALID_DATA,
               /* Translators: "Could not write “chart.pdf”: error while writing to output stream" */
               _("Could not write “%s”: %s"), display, cairo_status_to_string (status));
  return FALSE;
}

gboolean
traj_chart_output_open (TrajChartOutput *out, const char *path, GError **error)
{
  out->error = NULL;
  out->file = traj_safe_file_new (path, error);
  return out->file != NULL;
}

cairo_status_t
traj_chart_output_write (void *closure, const unsigned char *data, unsigned int length)
{
  TrajChartOutput *out = closure;

  if (out->error)
    return CAIRO_STATUS_WRITE_ERROR;
  return traj_safe_file_write (out->file, data, length, &out->error) ? CAIRO_STATUS_SUCCESS
                                                                      : CAIRO_STATUS_WRITE_ERROR;
}

gboolean
traj_chart_output_close (TrajChartOutput *out, cairo_status_t status, const char *path, GError **error)
{
  gboolean ok;

  if (out->error)
    {
      /* The writer's own reason (a full disk, say) beats cairo's. */
      g_propagate_error (error, g_steal_pointer (&out->error));
      ok = FALSE;
    }
  else
    ok = check_status (status, path, error) && traj_safe_file_commit (out->file, error);
  /* Unless committed, this removes the new file. */
  g_clear_pointer (&out->file, traj_safe_file_free);
  return ok;
}

gboolean
traj_chart_write_surface_file (const char              *path,
                               int                      width,
                               int                      height,
                               const TrajChartFileSpec *spec,
                               TrajChartPaintFunc       paint,
                               gpointer                 user_data,
                               GError                 **error)
{
  double scale = spec->scale > 0 ? spec->scale : 1;
  FileFormat format;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  TrajChartOutput out;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!format_for_path (path, &format))
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Cannot tell the format of “%s”: name it .png, .svg or .pdf"), display);
      return FALSE;
    }
  if (width < 120 || height < 80 || width > 20000 || height > 20000)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A chart must be between 120 × 80 and 20000 × 20000 (asked for %d × %d)"), width, height);
      return FALSE;
    }

  if (!traj_chart_output_open (&out, path, error))
    return FALSE;
  switch (format)
    {
    case FORMAT_PNG:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (width * scale), (int) (height * scale));
      cairo_surface_set_device_scale (surface, scale, scale);
      break;
    case FORMAT_SVG:
      surface = cairo_svg_surface_create_for_stream (traj_chart_output_write, &out, width, height);
      if (spec->svg_px && cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
        cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
      break;
    case FORMAT_PDF:
    default:
      surface = cairo_pdf_surface_create_for_stream (traj_chart_output_write, &out, width, height);
      if (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
        {
          if (spec->pdf_title)
            cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, spec->pdf_title);
          cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Trajectory " PACKAGE_VERSION);
        }
      break;
    }
  status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return traj_chart_output_close (&out, status, path, error);
    }

  cr = cairo_create (surface);
  paint (cr, width, height, user_data);
  if (format == FORMAT_PDF)
    cairo_show_page (cr);
  status = cairo_status (cr);
  cairo_destroy (cr);

  if (status == CAIRO_STATUS_SUCCESS && format == FORMAT_PNG)
    status = cairo_surface_write_to_png_stream (surface, traj_chart_output_write, &out);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  return traj_chart_output_close (&out, status, path, error);
}

static char *
document_title (const TrajChartModel *model)
{
  if (model->patient_name && model->mrn)
    /* Translators: title of an exported chart file: "Trajectory chart: Ada Bianchi (MRN-100500)" */
    return g_strdup_printf (_("Trajectory chart: %s (%s)"), model->patient_name, model->mrn);
  return g_strdup (_("Trajectory chart"));
}

typedef struct {
  TrajChartModel *model;
  TrajChartOptions options;
  TrajChartPalette palette;
} PaintChart;

static void
paint_chart (cairo_t *cr, int width, int height, gpointer user_data)
{
  PaintChart *pc = user_data;

  traj_chart_render (pc->model, &pc->options, &pc->palette, cr, width, height);
}

gboolean
traj_chart_write_file_full (TrajChartModel         *model,
                            const TrajChartOptions *options,
                            const char             *path,
                            int                     width,
                            int                     height,
                            double                  scale,
                            GError                **error)
{
  g_autofree char *title = NULL;
  TrajChartFileSpec spec = { scale, NULL, TRUE };
  PaintChart pc = { model };

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options)
    pc.options = *options;
  else
    {
      traj_chart_options_init (&pc.options);
      pc.options.show_title = TRUE;
    }
  traj_chart_palette_init_print (&pc.palette);
  spec.pdf_title = title = document_title (model);
  return traj_chart_write_surface_file (path, width, height, &spec, paint_chart, &pc, error);
}

gboolean
traj_chart_write_file (TrajChartModel *model,
                       const char     *path,
                       int             width,
                       int             height,
                       GError        **error)
{
  return traj_chart_write_file_full (model, NULL, path, width, height, 1.0, error);
}
