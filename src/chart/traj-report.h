/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "traj-cohort.h"
#include "traj-outcomes.h"
#include "traj-records.h"

G_BEGIN_DECLS

/* Printed reports (DESIGN.md "Exchange"): the patient progress report a
 * referring doctor reads, and the one-page cohort report a clinic lead files.
 *
 * A report is laid out for a page size and drawn one page at a time on any
 * cairo_t whose user unit is one point with the origin at the page's top
 * left: a PDF surface (the writers below) or a GtkPrintContext (begin-print
 * asks traj_report_get_n_pages() for the page size, draw-page calls
 * traj_report_draw_page()). Both paths run the same layout and drawing, so
 * the printed pages are the PDF's pages. All text is drawn with Pango. */

typedef enum {
  TRAJ_PAPER_A4,                 /* 210 × 297 mm */
  TRAJ_PAPER_LETTER,             /* 8.5 × 11 in */
} TrajPaperSize;

/* "a4" / "letter" (case ignored). */
const char *traj_paper_size_to_string   (TrajPaperSize paper);
gboolean    traj_paper_size_from_string (const char    *s,
                                         TrajPaperSize *out);
/* The page size in points (1/72 in), portrait. */
void        traj_paper_size_get_size    (TrajPaperSize  paper,
                                         double        *width,
                                         double        *height);

typedef struct {
  const char *clinic_name;       /* on top of the first page; NULL or "": left out */
  const char *prepared_by;       /* the clinician printing it; NULL or "": left out */
  TrajPaperSize paper;           /* for the PDF writers */
  gint64 generated_at;           /* TRAJ_TIME_NONE: now */
  const char *font_family;       /* NULL: "Sans" */
} TrajReportOptions;

void traj_report_options_init (TrajReportOptions *options);

typedef struct _TrajReport TrajReport;

/* The patient progress report: clinic and patient identity, the current
 * course (indication, protocol, infusions, dates), baseline, latest, change,
 * response and remission per scale, open findings and recorded decisions,
 * the trajectory chart, and every infusion and score (tables break across
 * pages and repeat their header). Each page ends with "Page N of M", the
 * MRN and when it was generated. @outcomes is traj_outcomes_compute() of
 * @records; both are copied or read now, not kept. */
TrajReport *traj_report_patient_new     (const TrajPatientRecords *records,
                                         const TrajOutcomes       *outcomes,
                                         const TrajReportOptions  *options);
/* The cohort report, on one page whatever the page size: the definition
 * and filters, every cohort figure with its interval and small-cohort
 * notes, the trajectory and time-to-booster charts, and the operational
 * definitions. @report is read now, not kept. */
TrajReport *traj_report_cohort_new      (const TrajCohortReport   *report,
                                         const TrajReportOptions  *options);
/* The esketamine monitoring record of one intranasal esketamine @session
 * of @patient (traj-rems.h) on one page: what is missing said on top,
 * every field of the form. @clinic_address: the clinic's address setting
 * (the name is @options' clinic_name). */
TrajReport *traj_report_rems_new        (const TrajPatient        *patient,
                                         const TrajInfusion       *session,
                                         const TrajReportOptions  *options,
                                         const char               *clinic_address);
void        traj_report_free            (TrajReport *report);

/* Lays the report out for a @page_width × @page_height page (points) and
 * returns its number of pages (≥ 1). The layout is kept until another size
 * is asked for. */
int         traj_report_get_n_pages     (TrajReport *report,
                                         double      page_width,
                                         double      page_height);
/* Draws page @page (0-based) of the layout for that size (laying it out
 * first when needed). Emits no page: on a PDF surface the caller calls
 * cairo_show_page(). */
void        traj_report_draw_page       (TrajReport *report,
                                         cairo_t    *cr,
                                         int         page,
                                         double      page_width,
                                         double      page_height);
/* The report's text without markup, block by block (a table a row a line,
 * cells separated by tabs): what a test or a screen reader reads. */
char       *traj_report_get_text        (TrajReport *report);
/* The text of the callout over the first page (open safety findings and
 * monitoring events), or NULL when there is none. */
char       *traj_report_get_callout     (TrajReport *report);
/* Writes every page to @path as a PDF of @options' paper size (A4 when
 * @options is NULL). */
gboolean    traj_report_write_pdf       (TrajReport               *report,
                                         const TrajReportOptions  *options,
                                         const char               *path,
                                         GError                  **error);

/* The same in one call. */
gboolean    traj_report_patient_write_pdf (const TrajPatientRecords *records,
                                           const TrajOutcomes       *outcomes,
                                           const TrajReportOptions  *options,
                                           const char               *path,
                                           GError                  **error);
gboolean    traj_report_rems_write_pdf    (const TrajPatient        *patient,
                                           const TrajInfusion       *session,
                                           const TrajReportOptions  *options,
                                           const char               *clinic_address,
                                           const char               *path,
                                           GError                  **error);
gboolean    traj_report_cohort_write_pdf  (const TrajCohortReport   *report,
                                           const TrajReportOptions  *options,
                                           const char               *path,
                                           GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajReport, traj_report_free)

G_END_DECLS
