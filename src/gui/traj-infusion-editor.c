/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "traj-columns-layout.h"
#include "traj-gui.h"
#include "traj-infusion-editor-private.h"
#include "traj-medication.h"
#include "traj-outcomes.h"
#include "traj-rems.h"
#include "traj-rems-group.h"
#include "traj-validate.h"

/* Readings offered on a new infusion: before dosing, about 40 minutes in
 * (the blood-pressure peak) and before discharge (CLINICAL.md §5). */
#define DISCHARGE_MINUTE 120

typedef struct
{
  TrajInfusionEditor *self;
  GtkWidget *box;
  GtkWidget *cells[TRAJ_N_VITAL_COLUMNS];
  GtkWidget *remove;
  GtkWidget *error_label;
  GtkWidget *warning_label;
} Reading;

struct _TrajInfusionEditor
{
  TrajEditorDialog parent_instance;

  TrajInfusion *existing;         /* NULL when new */
  gint64 patient_id;
  TrajPatientRecords *records;    /* a copy of what defaults and the phase need */
  TrajThresholds thresholds;
  GArray *course_ids;             /* gint64 per course_row position; 0 = no course */
  GPtrArray *readings;            /* Reading* */
  gboolean loading;
  gboolean phase_chosen;          /* the person picked a phase: stop suggesting */
  TrajPhase suggested_phase;
  /* Date warnings (CLINICAL.md §7) the clinician confirmed, for this start
   * and course only: changing either asks again. */
  guint confirmed;
  gint64 confirmed_start;
  gint64 confirmed_course;
  guint pending;                  /* what the last refused save would confirm */
  gint64 pending_start;
  gint64 pending_course;
  /* An unusual dose (traj_dose_caution) is asked about once per value: the
   * mg/kg the clinician confirmed (an edited record's own, as saved), and
   * the one the open question is about; -1 for none. */
  double dose_confirmed;
  double dose_pending;
  GtkWidget *side_effect_checks[TRAJ_N_SIDE_EFFECTS];
  GtkWidget *concomitant_switches[TRAJ_N_CONCOMITANTS];

  GtkWidget *content;
  AdwComboRow *course_row;
  GtkStringList *course_model;
  GtkWidget *date_row;
  GtkLabel *date_message;
  GtkWidget *time_row;
  GtkLabel *time_message;
  GtkWidget *duration_row;
  GtkLabel *duration_message;
  AdwComboRow *phase_row;
  GtkStringList *phase_model;
  AdwComboRow *medicine_row;
  GtkLabel *medicine_message;
  GtkStringList *medicine_model;
  AdwComboRow *route_row;
  GtkStringList *route_model;
  GtkWidget *lot_row;
  GtkWidget *weight_row;
  GtkLabel *weight_message;
  GtkWidget *dose_row;
  AdwComboRow *fixed_dose_row;
  GtkStringList *fixed_dose_model;
  GtkLabel *dose_message;
  GtkLabel *total_label;
  GtkWidget *vitals_header;
  GtkWidget *readings_box;
  GtkWidget *add_reading_row;
  GtkLabel *vitals_legend;
  GtkWidget *side_effects_box;
  GtkWidget *side_note_row;
  GtkWidget *cadss_row;
  GtkLabel *cadss_message;
  AdwComboRow *moaas_row;
  GtkStringList *moaas_model;
  GtkWidget *concomitant_group;
  GtkWidget *monitoring_row;
  GtkLabel *monitoring_message;
  GtkWidget *ready_row;
  GtkLabel *ready_message;
  GtkWidget *clinician_row;
  GtkTextView *notes_view;
  /* The esketamine monitoring record (CLINICAL.md §8): its questions,
   * shown for intranasal esketamine only, and the clinic's name and
   * address its completeness check needs. */
  GtkWidget *rems_group;
  char *clinic_name;
  char *clinic_address;
};

G_DEFINE_FINAL_TYPE (TrajInfusionEditor, traj_infusion_editor, TRAJ_TYPE_EDITOR_DIALOG)

/* ---- parsing ------------------------------------------------------------ */

typedef enum {
  PARSE_OK,
  PARSE_EMPTY,
  PARSE_BAD,
} ParseResult;

static char *
field_text (GtkWidget *field)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (field))));
}

static ParseResult
parse_int (GtkWidget *field, int *value)
{
  g_autofree char *text = field_text (field);
  gint64 v;

  *value = -1;
  if (*text == '\0')
    return PARSE_EMPTY;
  /* Typed minus signs come in two spellings. */
  if (g_str_has_prefix (text, "−"))
    {
      char *ascii = g_strconcat ("-", text + strlen ("−"), NULL);
      g_free (text);
      text = ascii;
    }
  if (!g_ascii_string_to_signed (text, 10, -100000, 100000, &v, NULL))
    return PARSE_BAD;
  *value = (int) v;
  return PARSE_OK;
}

/* Accepts a decimal point or comma: clinics type both. */
static ParseResult
parse_double (GtkWidget *field, double *value)
{
  g_autofree char *text = field_text (field);
  char *end;

  *value = 0;
  if (*text == '\0')
    return PARSE_EMPTY;
  g_strdelimit (text, ",", '.');
  *value = g_ascii_strtod (text, &end);
  if (*end != '\0' || end == text || !isfinite (*value))
    return PARSE_BAD;
  return PARSE_OK;
}

static char *
format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* Up to two decimals, without trailing zeros: 36.25, 36.5, 36. */
  g_ascii_formatd (buf, sizeof buf, "%.2f", round (value * 100) / 100);
  if (strchr (buf, '.'))
    {
      char *p = buf + strlen (buf) - 1;
      while (*p == '0')
        *p-- = '\0';
      if (*p == '.')
        *p = '\0';
    }
  return g_strdup (buf);
}

/* ---- helpers ------------------------------------------------------------ */

static TrajRoute
selected_route (TrajInfusionEditor *self)
{
  return (TrajRoute) MIN (adw_combo_row_get_selected (self->route_row), TRAJ_N_ROUTES - 1);
}

static TrajMedicine
selected_medicine (TrajInfusionEditor *self)
{
  return (TrajMedicine) MIN (adw_combo_row_get_selected (self->medicine_row), TRAJ_N_MEDICINES - 1);
}

static gint64
selected_course (TrajInfusionEditor *self)
{
  guint pos = adw_combo_row_get_selected (self->course_row);

  return pos < self->course_ids->len ? g_array_index (self->course_ids, gint64, pos) : 0;
}

static char *
text_or_null (GtkWidget *field)
{
  char *text = field_text (field);

  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

static const char *const vital_titles[TRAJ_N_VITAL_COLUMNS] = {
  N_("Minute from the start of dosing"),
  N_("Systolic blood pressure (mmHg)"),
  N_("Diastolic blood pressure (mmHg)"),
  N_("Heart rate (per minute)"),
  N_("Oxygen saturation SpO₂ (%)"),
  N_("Respiratory rate (per minute)"),
};

/* The vital signs over the clinic's limits, in words, or NULL: the outcomes
 * engine's own rule (traj_vital_sign_monitoring_events). */
static char *
monitoring_events (TrajInfusionEditor *self, const TrajVitalSign *v)
{
  const TrajThresholds *t = &self->thresholds;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  guint over = traj_vital_sign_monitoring_events (v, t);

  if (over & TRAJ_VITAL_OVER_SYSTOLIC)
    g_ptr_array_add (parts, g_strdup_printf (_("systolic %d ≥ %d"), v->systolic, t->systolic_max));
  if (over & TRAJ_VITAL_OVER_DIASTOLIC)
    g_ptr_array_add (parts, g_strdup_printf (_("diastolic %d ≥ %d"), v->diastolic, t->diastolic_max));
  if (over & TRAJ_VITAL_OVER_HEART_RATE)
    g_ptr_array_add (parts, g_strdup_printf (_("heart rate %d > %d"), v->heart_rate, t->heart_rate_max));
  if (over & TRAJ_VITAL_UNDER_SPO2)
    g_ptr_array_add (parts, g_strdup_printf (_("SpO₂ %d < %d"), v->spo2, t->spo2_min));
  if (over & TRAJ_VITAL_UNDER_SYSTOLIC)
    g_ptr_array_add (parts, g_strdup_printf (_("systolic %d < %d"), v->systolic, t->systolic_min));
  if (over & TRAJ_VITAL_UNDER_HEART_RATE)
    g_ptr_array_add (parts, g_strdup_printf (_("heart rate %d < %d"), v->heart_rate, t->heart_rate_min));
  if (over & TRAJ_VITAL_UNDER_RESP_RATE)
    g_ptr_array_add (parts, g_strdup_printf (_("respiratory rate %d < %d (respiratory depression)"),
                                             v->resp_rate, t->resp_rate_min));
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  /* Translators: joins the vital signs that crossed a limit */
  joined = g_strjoinv (_("; "), (char **) parts->pdata);
  /* Translators: e.g. "Monitoring event: systolic 184 ≥ 180" */
  return g_strdup_printf (_("Monitoring event: %s"), joined);
}

static void
set_reading_line (GtkWidget *label, const char *text)
{
  gtk_label_set_label (GTK_LABEL (label), text ? text : "");
  gtk_widget_set_visible (label, text != NULL);
}

/* Checks one reading; fills @v when it holds something worth saving.
 * Returns FALSE when the reading is invalid. *empty is set when nothing but
 * the minute was typed: offered rows left empty are simply not saved. */
static gboolean
check_reading (TrajInfusionEditor *self,
               Reading            *r,
               TrajVitalSign      *v,
               gboolean           *empty)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) row_error = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *problem_text = NULL;
  g_autofree char *events = NULL;
  int *slots[5] = { &v->systolic, &v->diastolic, &v->heart_rate, &v->spo2, &v->resp_rate };
  gboolean ok = TRUE;
  gboolean bad[5] = { FALSE, };
  ParseResult minute_parse;
  GtkWidget *row_field = NULL;

  *empty = TRUE;
  for (guint c = 0; c < TRAJ_N_VITAL_COLUMNS; c++)
    traj_field_set_error (r->cells[c], NULL);

  for (guint f = 0; f < 5; f++)
    {
      GtkWidget *cell = r->cells[f + 1];
      ParseResult p = parse_int (cell, slots[f]);
      GError *cell_error = NULL;

      gtk_widget_remove_css_class (cell, "monitoring-event");
      if (p == PARSE_EMPTY)
        continue;
      *empty = FALSE;
      if (p == PARSE_BAD)
        cell_error = g_error_new (TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Type vital signs as whole numbers."));
      else
        traj_validate_vital_value (f, *slots[f], &cell_error);
      if (cell_error)
        {
          traj_field_set_error (cell, cell_error);
          bad[f] = TRUE;
          ok = FALSE;
          /* The line under the reading names every problem, once. */
          if (!g_ptr_array_find_with_equal_func (problems, cell_error->message, g_str_equal, NULL))
            g_ptr_array_add (problems, g_strdup (cell_error->message));
          g_clear_error (&cell_error);
        }
    }

  minute_parse = parse_int (r->cells[TRAJ_VITAL_COLUMN_MINUTE], &v->minute);
  if (*empty)
    {
      set_reading_line (r->error_label, NULL);
      set_reading_line (r->warning_label, NULL);
      return TRUE;
    }

  if (minute_parse != PARSE_OK)
    {
      error = g_error_new (TRAJ_ERROR, TRAJ_ERROR_VITAL_MINUTE,
                           _("Type the minute of this reading (0 is the start of dosing)."));
      traj_field_set_error (r->cells[TRAJ_VITAL_COLUMN_MINUTE], error);
      g_ptr_array_insert (problems, 0, g_strdup (error->message));
      ok = FALSE;
    }
  /* Rules about the reading as a whole: minute range, both halves of BP. */
  if (ok && !traj_validate_vital_sign (v, &row_error))
    {
      if (g_error_matches (row_error, TRAJ_ERROR, TRAJ_ERROR_VITAL_MINUTE))
        row_field = r->cells[TRAJ_VITAL_COLUMN_MINUTE];
      else if (g_error_matches (row_error, TRAJ_ERROR, TRAJ_ERROR_VITAL_SYSTOLIC))
        row_field = r->cells[1];
      else if (g_error_matches (row_error, TRAJ_ERROR, TRAJ_ERROR_VITAL_DIASTOLIC))
        row_field = r->cells[2];
      /* A blood pressure refused as a whole (80/120) is no finding either. */
      if (g_error_matches (row_error, TRAJ_ERROR, TRAJ_ERROR_VITAL_SYSTOLIC) ||
          g_error_matches (row_error, TRAJ_ERROR, TRAJ_ERROR_VITAL_DIASTOLIC))
        bad[0] = bad[1] = TRUE;
      if (row_field)
        traj_field_set_error (row_field, row_error);
      g_ptr_array_add (problems, g_strdup (row_error->message));
      ok = FALSE;
    }
  if (problems->len > 0)
    {
      g_ptr_array_add (problems, NULL);
      problem_text = g_strjoinv ("\n", (char **) problems->pdata);
    }
  set_reading_line (r->error_label, problem_text);

  /* Over a limit is a finding to note, not a typing mistake: it never
   * blocks saving. A value that is itself invalid is no finding. */
  for (guint f = 0; f < 5; f++)
    if (bad[f])
      *slots[f] = -1;
  events = monitoring_events (self, v);
  if (events)
    {
      guint bits = traj_vital_sign_monitoring_events (v, &self->thresholds);
      gboolean over[5] = {
        (bits & (TRAJ_VITAL_OVER_SYSTOLIC | TRAJ_VITAL_UNDER_SYSTOLIC)) != 0,
        (bits & TRAJ_VITAL_OVER_DIASTOLIC) != 0,
        (bits & (TRAJ_VITAL_OVER_HEART_RATE | TRAJ_VITAL_UNDER_HEART_RATE)) != 0,
        (bits & TRAJ_VITAL_UNDER_SPO2) != 0,
        (bits & TRAJ_VITAL_UNDER_RESP_RATE) != 0,
      };
      for (guint f = 0; f < 5; f++)
        if (over[f])
          gtk_widget_add_css_class (r->cells[f + 1], "monitoring-event");
    }
  set_reading_line (r->warning_label, events);
  return ok;
}

static guint
count_course_infusions_before (TrajInfusionEditor *self, gint64 course_id, gint64 started_at)
{
  guint n = 0;

  for (guint k = 0; k < self->records->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (self->records->infusions, k);

      if (i->course_id != course_id || (self->existing && i->id == self->existing->id))
        continue;
      if (started_at == TRAJ_TIME_NONE || i->started_at < started_at)
        n++;
    }
  return n;
}

/* Induction until the course has had induction_length infusions, then
 * maintenance (CLINICAL.md §2). Boosters are the clinician's call. */
static void
suggest_phase (TrajInfusionEditor *self, gint64 started_at)
{
  const TrajCourse *course = traj_patient_records_find_course (self->records, selected_course (self));
  g_autofree char *subtitle = NULL;
  guint number;
  int induction;

  if (course == NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->phase_row), "");
      return;
    }
  induction = course->induction_length > 0 ? course->induction_length : self->thresholds.induction_length;
  number = count_course_infusions_before (self, course->id, started_at) + 1;
  self->suggested_phase = (int) number <= induction ? TRAJ_PHASE_INDUCTION : TRAJ_PHASE_MAINTENANCE;
  /* Translators: under Phase, e.g. "Infusion 3 of this course; induction is 6 infusions" */
  subtitle = g_strdup_printf (ngettext ("Infusion %u of this course; induction is %d infusion",
                                        "Infusion %u of this course; induction is %d infusions",
                                        induction),
                              number, induction);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->phase_row), subtitle);

  if (!self->phase_chosen && self->existing == NULL &&
      adw_combo_row_get_selected (self->phase_row) != (guint) self->suggested_phase)
    {
      gboolean was_loading = self->loading;

      self->loading = TRUE;
      adw_combo_row_set_selected (self->phase_row, self->suggested_phase);
      self->loading = was_loading;
    }
}

/* ---- the form ----------------------------------------------------------- */

/* CLINICAL.md §7 on what this editor knows of the patient, as the person
 * types: a date before birth is an error under the date; a date the store
 * will ask about is a caution there (saving asks to confirm it, with what
 * the clinic holds then). Returns FALSE for an error. */
static gboolean
check_dates (TrajInfusionEditor *self, const TrajInfusion *i)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *caution = NULL;
  TrajInfusionContext ctx = { TRAJ_DAY_NONE, NULL, TRAJ_TIME_NONE };
  guint warnings = 0;

  ctx.birth_day = self->records->patient->birth_day;
  ctx.course = traj_patient_records_find_course (self->records, i->course_id);
  for (guint k = 0; k < self->records->infusions->len; k++)
    {
      const TrajInfusion *o = g_ptr_array_index (self->records->infusions, k);

      if (self->existing && o->id == self->existing->id)
        continue;
      if (ctx.nearest_infusion_at == TRAJ_TIME_NONE ||
          ABS (o->started_at - i->started_at) < ABS (ctx.nearest_infusion_at - i->started_at))
        ctx.nearest_infusion_at = o->started_at;
    }
  if (!traj_validate_infusion_dates (i, &ctx, &warnings, &error))
    {
      traj_field_set_message (self->date_row, self->date_message, error);
      return FALSE;
    }
  caution = traj_infusion_date_warnings_message (i, &ctx, warnings & ~i->date_confirmed);
  if (caution)
    {
      g_autofree char *text = g_strdup_printf (_("%s Saving will ask you to confirm it."), caution);
      traj_field_set_caution (self->date_message, text);
    }
  return TRUE;
}

/* The start: the store's rule for it, under the part that is wrong. Sets
 * i->started_at (TRAJ_TIME_NONE when unreadable) and *day. */
static gboolean
check_when (TrajInfusionEditor *self, TrajInfusion *i, gint32 *day)
{
  g_autoptr(GError) date_error = NULL;
  int hour = 0, minute = 0;
  gboolean day_ok, time_ok, ok = TRUE;
  const GError *on_date, *on_time = NULL;

  *day = traj_day_from_iso (gtk_editable_get_text (GTK_EDITABLE (self->date_row)));
  day_ok = *day != TRAJ_DAY_NONE;
  time_ok = traj_editor_parse_clock (gtk_editable_get_text (GTK_EDITABLE (self->time_row)), &hour, &minute);
  i->started_at = day_ok && time_ok ? traj_time_from_day (*day, hour, minute) : TRAJ_TIME_NONE;
  if (!traj_validate_infusion_time (i->started_at, traj_time_now (), &date_error))
    ok = FALSE;
  on_date = date_error;
  /* No start time at all: the sentence goes under the unreadable part. */
  if (g_error_matches (date_error, TRAJ_ERROR, TRAJ_ERROR_INVALID))
    {
      on_date = day_ok ? NULL : date_error;
      on_time = time_ok ? NULL : date_error;
    }
  traj_field_set_message (self->date_row, self->date_message, on_date);
  /* One sentence for both parts once, both parts red. */
  traj_field_set_message (self->time_row, self->time_message, on_time == on_date ? NULL : on_time);
  traj_field_set_error (self->time_row, on_time);

  suggest_phase (self, i->started_at);
  i->phase = (TrajPhase) MIN (adw_combo_row_get_selected (self->phase_row), TRAJ_N_PHASES - 1);
  i->date_confirmed = i->started_at == self->confirmed_start && i->course_id == self->confirmed_course ?
                      self->confirmed : 0;
  if (date_error == NULL && i->started_at != TRAJ_TIME_NONE && !check_dates (self, i))
    ok = FALSE;
  return ok;
}

static gboolean
check_duration (TrajInfusionEditor *self, TrajInfusion *i)
{
  g_autoptr(GError) duration_error = NULL;
  ParseResult p = parse_int (self->duration_row, &i->duration_min);

  if (p == PARSE_BAD)
    duration_error = g_error_new (TRAJ_ERROR, TRAJ_ERROR_DURATION_RANGE, _("Type the duration in whole minutes."));
  else if (p == PARSE_EMPTY)
    duration_error = g_error_new (TRAJ_ERROR, TRAJ_ERROR_DURATION_RANGE, _("Enter how long the infusion ran, in minutes."));
  else
    traj_validate_duration (i->duration_min, &duration_error);
  traj_field_set_message (self->duration_row, self->duration_message, duration_error);
  return duration_error == NULL;
}

/* Weight: needed for mg/kg dosing; optional with a fixed dose. Sets
 * *weight_ok when a valid weight was typed. */
static gboolean
check_weight (TrajInfusionEditor *self, TrajInfusion *i, gboolean fixed, gboolean *weight_ok)
{
  g_autoptr(GError) weight_error = NULL;
  ParseResult p = parse_double (self->weight_row, &i->weight_kg);

  if (p == PARSE_BAD)
    weight_error = g_error_new (TRAJ_ERROR, TRAJ_ERROR_WEIGHT_RANGE, _("Type the weight in kg as a number, such as 72.5."));
  else if (p == PARSE_EMPTY && !fixed)
    weight_error = g_error_new (TRAJ_ERROR, TRAJ_ERROR_WEIGHT_RANGE, _("Enter the patient’s weight in kg."));
  else if (p == PARSE_OK)
    traj_validate_weight (i->weight_kg, &weight_error);
  *weight_ok = weight_error == NULL && p == PARSE_OK;
  if (!*weight_ok)
    i->weight_kg = 0;
  /* An empty field nobody has typed in yet is not an error to shout about. */
  traj_field_set_message (self->weight_row, self->weight_message,
                          p == PARSE_EMPTY && !traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (self)) ? NULL : weight_error);
  return weight_error == NULL;
}

/* The dose (a fixed total, or mg/kg times the weight), its caution when
 * unusual, and the total shown under it. */
static gboolean
check_dose (TrajInfusionEditor *self, TrajInfusion *i, gboolean fixed, gboolean weight_ok)
{
  g_autoptr(GError) dose_error = NULL;
  g_autofree char *caution = NULL;
  g_autofree char *total_text = NULL;
  double dose = 0;

  gtk_widget_set_visible (self->dose_row, !fixed);
  gtk_widget_set_visible (GTK_WIDGET (self->fixed_dose_row), fixed);
  if (fixed)
    {
      guint pos = MIN (adw_combo_row_get_selected (self->fixed_dose_row), TRAJ_ESKETAMINE_N_FIXED_DOSES - 1);

      i->dose_mg_per_kg = 0;
      i->total_mg = traj_esketamine_fixed_dose (pos);
      traj_validate_dose (i->route, i->medicine, 0, i->total_mg, &dose_error);
      traj_field_set_error (self->dose_row, NULL);
    }
  else
    {
      ParseResult p = parse_double (self->dose_row, &dose);

      i->dose_mg_per_kg = dose;
      i->total_mg = weight_ok ? traj_dose_total_mg (i->weight_kg, dose) : 0;
      if (p == PARSE_BAD)
        dose_error = g_error_new (TRAJ_ERROR, TRAJ_ERROR_DOSE_RANGE, _("Type the dose in mg/kg as a number, such as 0.5."));
      else if (p == PARSE_EMPTY)
        dose_error = g_error_new (TRAJ_ERROR, TRAJ_ERROR_DOSE_RANGE, _("Enter the dose in mg/kg."));
      else
        /* Without a weight yet, check the mg/kg alone: any valid weight
         * times a valid mg/kg is a plausible total. */
        traj_validate_dose (i->route, i->medicine, dose,
                            weight_ok ? i->total_mg : dose * TRAJ_WEIGHT_MIN_KG, &dose_error);
      traj_field_set_error (self->dose_row, dose_error);
    }

  /* A valid but unusual dose is shown as a caution, never refused. */
  caution = dose_error ? NULL : traj_dose_caution (i->route, i->medicine, i->dose_mg_per_kg);
  if (caution)
    traj_field_set_caution (self->dose_message, caution);
  else
    traj_field_set_message (NULL, self->dose_message, dose_error);

  if (i->total_mg > 0 && dose_error == NULL)
    {
      g_autofree char *mg = format_number (i->total_mg);
      /* Translators: the computed total dose, e.g. "36.25 mg" */
      total_text = g_strdup_printf (_("%s mg"), mg);
    }
  gtk_label_set_label (self->total_label, total_text ? total_text : "—");
  return dose_error == NULL;
}

/* Vital signs, side effects, concomitant medicines, lot. */
static gboolean
read_readings_and_effects (TrajInfusionEditor *self, TrajInfusion *i)
{
  gboolean ok = TRUE;

  for (guint k = 0; k < self->readings->len; k++)
    {
      g_autoptr(TrajVitalSign) v = traj_vital_sign_new (0);
      gboolean empty;

      if (!check_reading (self, g_ptr_array_index (self->readings, k), v, &empty))
        ok = FALSE;
      else if (!empty)
        g_ptr_array_add (i->vitals, g_steal_pointer (&v));
    }
  i->side_effects = 0;
  for (guint k = 0; k < TRAJ_N_SIDE_EFFECTS; k++)
    if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->side_effect_checks[k])))
      i->side_effects |= 1u << k;
  i->concomitant = 0;
  for (guint k = 0; k < TRAJ_N_CONCOMITANTS; k++)
    if (gtk_switch_get_active (GTK_SWITCH (self->concomitant_switches[k])))
      i->concomitant |= 1u << k;
  g_free (i->side_effect_note);
  i->side_effect_note = text_or_null (self->side_note_row);
  g_free (i->lot);
  i->lot = text_or_null (self->lot_row);
  return ok;
}

static void
moaas_setup (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
moaas_bind (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  const char *text = gtk_string_object_get_string (GTK_STRING_OBJECT (gtk_list_item_get_item (item)));
  const char *dot = strstr (text, " · ");
  g_autofree char *shown = GPOINTER_TO_INT (data) && dot ? g_strndup (text, dot - text) : g_strdup (text);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), shown);
}

/* The MOAA/S list's items: @number_only for the row's own value. */
static GtkListItemFactory *
moaas_factory (gboolean number_only)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (moaas_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (moaas_bind), GINT_TO_POINTER (number_only));
  return factory;
}

/* CLINICAL.md §8: the CADSS total (empty: not recorded) and the lowest
 * MOAA/S (the combo's first entry: not recorded, then 5 down to 0). */
static gboolean
read_tolerability (TrajInfusionEditor *self, TrajInfusion *i)
{
  g_autoptr(GError) error = NULL;
  guint moaas = adw_combo_row_get_selected (self->moaas_row);
  const char *subtitle = "";

  i->moaas_lowest = moaas == 0 || moaas == GTK_INVALID_LIST_POSITION ? -1 : TRAJ_MOAAS_MAX - (int) (moaas - 1);
  if (i->moaas_lowest == 0)
    subtitle = _("No response: a monitoring event");
  else if (traj_infusion_sedated (i))
    subtitle = _("Sedation (3 or less)");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->moaas_row), subtitle);

  if (parse_int (self->cadss_row, &i->cadss_total) == PARSE_BAD)
    g_set_error_literal (&error, TRAJ_ERROR, TRAJ_ERROR_TOLERABILITY_RANGE,
                         _("Type the CADSS total as a whole number from 0 to 92, or leave it empty."));
  else
    traj_validate_tolerability (i->cadss_total, -1, &error);
  traj_field_set_message (self->cadss_row, self->cadss_message, error);
  return error == NULL;
}

/* Monitoring and discharge: parse errors into *monitoring_error and
 * *ready_error (shown by the caller after the whole-record check). */
static void
read_discharge (TrajInfusionEditor *self, TrajInfusion *i, gint32 day,
                GError **monitoring_error, GError **ready_error)
{
  g_autofree char *ready = field_text (self->ready_row);
  ParseResult p = parse_int (self->monitoring_row, &i->monitoring_min);
  int rh, rm;

  if (p == PARSE_EMPTY)
    i->monitoring_min = 0;
  else if (p == PARSE_BAD)
    g_set_error (monitoring_error, TRAJ_ERROR, TRAJ_ERROR_MONITORING_RANGE,
                 _("Type the monitoring time in whole minutes."));
  i->ready_at = TRAJ_TIME_NONE;
  if (*ready == '\0')
    return;
  if (!traj_editor_parse_clock (ready, &rh, &rm))
    g_set_error (ready_error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Type the time as HH:MM, such as 11:45."));
  else if (day != TRAJ_DAY_NONE)
    {
      i->ready_at = traj_time_from_day (day, rh, rm);
      /* A time before the start is past midnight. */
      if (i->started_at != TRAJ_TIME_NONE && i->ready_at < i->started_at)
        i->ready_at = traj_time_from_day (day + 1, rh, rm);
    }
}

/* The monitoring record's answers, for an intranasal esketamine session
 * only (another keeps what it had), and what the record still misses. */
static void
read_rems (TrajInfusionEditor *self, TrajInfusion *i)
{
  gboolean applies = traj_rems_applies (i);

  gtk_widget_set_visible (self->rems_group, applies);
  if (applies)
    {
      g_autoptr(TrajRemsRecord) r = NULL;
      g_autofree char *check = NULL;

      traj_rems_group_read (TRAJ_REMS_GROUP (self->rems_group), i);
      r = traj_rems_record_new (self->records->patient, i, self->clinic_name, self->clinic_address);
      check = traj_rems_record_check_text (r);
      traj_rems_group_set_check (TRAJ_REMS_GROUP (self->rems_group), check);
    }
}

/* Reads and checks every field, showing each message under its field, and
 * returns the infusion as it would be saved, or NULL when something is
 * invalid. Field by field first (each group reads its fields, checks them
 * with the store's rules and shows its message), then the store's
 * whole-record check for the rules no single field owns. */
static TrajInfusion *
check_form (TrajInfusionEditor *self)
{
  g_autoptr(TrajInfusion) i = NULL;
  g_autoptr(GError) monitoring_error = NULL;
  g_autoptr(GError) ready_error = NULL;
  g_autoptr(GError) error = NULL;
  gboolean weight_ok, fixed, ok = TRUE;
  gint32 day;

  if (self->existing)
    {
      i = traj_infusion_copy (self->existing);
      g_ptr_array_set_size (i->vitals, 0);
    }
  else
    {
      i = traj_infusion_new ();
      i->patient_id = self->patient_id;
    }
  i->course_id = selected_course (self);
  i->route = selected_route (self);
  i->medicine = selected_medicine (self);
  i->phase = (TrajPhase) MIN (adw_combo_row_get_selected (self->phase_row), TRAJ_N_PHASES - 1);
  fixed = traj_dose_is_fixed (i->route, i->medicine);
  ok &= check_when (self, i, &day);
  ok &= check_duration (self, i);
  ok &= check_weight (self, i, fixed, &weight_ok);
  {
    g_autoptr(GError) medicine_error = NULL;
    gboolean dose_ok = check_dose (self, i, fixed, weight_ok);

    ok &= dose_ok;
    /* The medicine's own message beside the dose's: every problem shows. */
    traj_validate_course_medicine (self->records, i, &medicine_error);
    ok &= medicine_error == NULL;
    traj_field_set_message (GTK_WIDGET (self->medicine_row), self->medicine_message, medicine_error);
  }
  ok &= read_readings_and_effects (self, i);
  ok &= read_tolerability (self, i);
  read_discharge (self, i, day, &monitoring_error, &ready_error);
  ok &= ready_error == NULL && monitoring_error == NULL;
  g_free (i->clinician);
  i->clinician = text_or_null (self->clinician_row);
  g_free (i->notes);
  i->notes = traj_editor_text_view_text (self->notes_view);
  read_rems (self, i);

  /* Last, the store's whole-record check, for the rules no single field
   * owns (the monitoring range among them). */
  if (ok && !traj_validate_infusion (i, traj_time_now (), &error))
    {
      ok = FALSE;
      if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_MONITORING_RANGE))
        monitoring_error = g_steal_pointer (&error);
    }
  traj_field_set_message (self->monitoring_row, self->monitoring_message, monitoring_error);
  traj_field_set_message (self->ready_row, self->ready_message, ready_error);
  traj_editor_dialog_show_error (TRAJ_EDITOR_DIALOG (self), error ? error->message : NULL);

  return ok ? g_steal_pointer (&i) : NULL;
}

static void
validate (TrajInfusionEditor *self)
{
  g_autoptr(TrajInfusion) i = check_form (self);

  traj_editor_dialog_set_valid (TRAJ_EDITOR_DIALOG (self), i != NULL);
}

static void
edited (TrajInfusionEditor *self)
{
  if (self->loading)
    return;
  traj_editor_dialog_mark_dirty (TRAJ_EDITOR_DIALOG (self));
  validate (self);
}

/* ---- callbacks ---------------------------------------------------------- */

static void
on_field_changed (TrajInfusionEditor *self)
{
  edited (self);
}

static void
on_phase_selected (TrajInfusionEditor *self)
{
  if (self->loading)
    return;
  self->phase_chosen = TRUE;
  edited (self);
}

static void
on_remove_reading (GtkButton *button,
                   Reading   *r)
{
  TrajInfusionEditor *self = r->self;
  guint index;

  if (!g_ptr_array_find (self->readings, r, &index))
    return;
  gtk_box_remove (GTK_BOX (self->readings_box), r->box);
  g_ptr_array_remove_index (self->readings, index);
  /* Keep the keyboard where it was: on the next reading, or on Add. */
  if (index < self->readings->len)
    gtk_widget_grab_focus (((Reading *) g_ptr_array_index (self->readings, index))->remove);
  else
    gtk_widget_grab_focus (self->add_reading_row);
  edited (self);
}

static Reading *
add_reading (TrajInfusionEditor *self, const TrajVitalSign *v, const char *caption)
{
  Reading *r = g_new0 (Reading, 1);
  GtkWidget *grid = gtk_grid_new ();
  guint number = self->readings->len + 1;
  const int values[TRAJ_N_VITAL_COLUMNS] = {
    v->minute, v->systolic, v->diastolic, v->heart_rate, v->spo2, v->resp_rate
  };

  r->self = self;
  r->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  gtk_widget_add_css_class (r->box, "reading");
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);

  for (guint c = 0; c < TRAJ_N_VITAL_COLUMNS; c++)
    {
      GtkWidget *cell = gtk_entry_new ();
      g_autofree char *accessible = NULL;

      gtk_editable_set_width_chars (GTK_EDITABLE (cell), 2);
      gtk_editable_set_max_width_chars (GTK_EDITABLE (cell), 4);
      gtk_editable_set_alignment (GTK_EDITABLE (cell), 0.5);
      gtk_entry_set_input_purpose (GTK_ENTRY (cell), c == 0 ? GTK_INPUT_PURPOSE_NUMBER : GTK_INPUT_PURPOSE_DIGITS);
      gtk_widget_set_hexpand (cell, TRUE);
      gtk_widget_add_css_class (cell, "vital");
      if (c == TRAJ_VITAL_COLUMN_MINUTE || values[c] >= 0)
        {
          g_autofree char *text = g_strdup_printf ("%d", values[c]);
          gtk_editable_set_text (GTK_EDITABLE (cell), text);
        }
      /* Translators: accessible name of a vital-sign cell, e.g.
       * "Reading 2 (40 min), Systolic blood pressure (mmHg)" */
      if (caption)
        accessible = g_strdup_printf (_("Reading %u (%s), %s"), number, caption, _(vital_titles[c]));
      else
        accessible = g_strdup_printf (_("Reading %u, %s"), number, _(vital_titles[c]));
      gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
      if (c == 0 && caption)
        gtk_widget_set_tooltip_text (cell, caption);
      g_signal_connect_swapped (cell, "changed", G_CALLBACK (on_field_changed), self);
      gtk_grid_attach (GTK_GRID (grid), cell, (int) c, 0, 1, 1);
      r->cells[c] = cell;
    }

  r->remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_halign (r->remove, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (r->remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (r->remove, "flat");
  gtk_widget_add_css_class (r->remove, "circular");
  gtk_widget_set_tooltip_text (r->remove, _("Remove Reading"));
  {
    g_autofree char *accessible = g_strdup_printf (_("Remove reading %u"), number);
    gtk_accessible_update_property (GTK_ACCESSIBLE (r->remove), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  }
  g_signal_connect (r->remove, "clicked", G_CALLBACK (on_remove_reading), r);
  gtk_grid_attach (GTK_GRID (grid), r->remove, TRAJ_N_VITAL_COLUMNS, 0, 1, 1);
  gtk_box_append (GTK_BOX (r->box), grid);

  r->error_label = gtk_label_new (NULL);
  r->warning_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (r->error_label, "reading-error");
  gtk_widget_add_css_class (r->warning_label, "monitoring-event-note");
  for (guint k = 0; k < 2; k++)
    {
      GtkWidget *label = k == 0 ? r->error_label : r->warning_label;

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_widget_set_visible (label, FALSE);
      gtk_box_append (GTK_BOX (r->box), label);
    }

  gtk_box_append (GTK_BOX (self->readings_box), r->box);
  g_ptr_array_add (self->readings, r);
  return r;
}

static void
on_add_reading (TrajInfusionEditor *self)
{
  g_autoptr(TrajVitalSign) v = NULL;
  int minute = 0;
  Reading *r;

  /* IV practice takes blood pressure every 10–15 minutes. */
  if (self->readings->len > 0)
    {
      Reading *last = g_ptr_array_index (self->readings, self->readings->len - 1);
      int m;

      if (parse_int (last->cells[TRAJ_VITAL_COLUMN_MINUTE], &m) == PARSE_OK)
        minute = m + 15;
    }
  v = traj_vital_sign_new (minute);
  r = add_reading (self, v, NULL);
  gtk_widget_grab_focus (r->cells[1]);
  edited (self);
}

static void
build_vitals_header (TrajInfusionEditor *self)
{
  /* Short column heads so the grid fits a 360 px tablet; the legend and
   * each cell's accessible name spell them out. */
  const char *heads[TRAJ_N_VITAL_COLUMNS] = {
    /* Translators: vital-signs column heads; keep them short (about 4 characters) */
    C_("vitals", "Min"), C_("vitals", "SBP"), C_("vitals", "DBP"),
    C_("vitals", "HR"), C_("vitals", "SpO₂"), C_("vitals", "RR"),
  };

  for (guint c = 0; c < TRAJ_N_VITAL_COLUMNS; c++)
    {
      GtkWidget *label = gtk_label_new (heads[c]);

      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_tooltip_text (label, _(vital_titles[c]));
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (GTK_GRID (self->vitals_header), label, (int) c, 0, 1, 1);
    }
  /* An empty head over the remove buttons keeps the columns aligned. */
  gtk_grid_attach (GTK_GRID (self->vitals_header), gtk_label_new (NULL), TRAJ_N_VITAL_COLUMNS, 0, 1, 1);

  gtk_label_set_label (self->vitals_legend,
                       _("Min: minutes from the start of dosing · SBP/DBP: systolic/diastolic blood pressure, "
                         "mmHg · HR: heart rate, per minute · SpO₂: oxygen saturation, % · RR: respiratory "
                         "rate, per minute"));
}

/* ---- vfuncs ------------------------------------------------------------- */

static gboolean
traj_infusion_editor_save (TrajEditorDialog *dialog,
                           gint64           *id,
                           GError          **error)
{
  TrajInfusionEditor *self = TRAJ_INFUSION_EDITOR (dialog);
  TrajStore *store = traj_editor_dialog_get_store (dialog);
  g_autoptr(TrajInfusion) i = check_form (self);
  g_autofree char *unconfirmed = NULL;
  guint warnings = 0;
  gboolean ok;

  if (i == NULL)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Some fields need attention."));
      return FALSE;
    }
  /* A valid but unusual dose is a question before it is saved (a trial
   * saved 4.5 mg/kg IV with one click past the caution line). */
  self->dose_pending = -1;
  if (i->dose_mg_per_kg != self->dose_confirmed)
    {
      g_autofree char *caution = traj_dose_caution (i->route, i->medicine, i->dose_mg_per_kg);

      if (caution)
        {
          self->dose_pending = i->dose_mg_per_kg;
          traj_editor_dialog_set_confirmation_text (dialog, _("Check the Dose"), _("_Change the Dose"),
                                                    _("Save it only if this dose is right."));
          g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NEEDS_CONFIRMATION, caution);
          return FALSE;
        }
    }
  traj_editor_dialog_set_confirmation_text (dialog, NULL, NULL, NULL);
  /* The store's date rules on what the clinic holds now: a warning not yet
   * confirmed goes back to the person as a question (traj_editor_dialog). */
  if (!traj_store_check_infusion_dates (store, i, &warnings, &unconfirmed, error))
    return FALSE;
  if (unconfirmed)
    {
      self->pending = warnings;
      self->pending_start = i->started_at;
      self->pending_course = i->course_id;
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NEEDS_CONFIRMATION, unconfirmed);
      return FALSE;
    }
  if (self->existing)
    ok = traj_store_update_infusion (store, i, error);
  else
    ok = traj_store_insert_infusion (store, i, error);
  if (ok)
    *id = i->id;
  return ok;
}

static void
traj_infusion_editor_confirm (TrajEditorDialog *dialog)
{
  TrajInfusionEditor *self = TRAJ_INFUSION_EDITOR (dialog);

  if (self->dose_pending >= 0)
    {
      self->dose_confirmed = self->dose_pending;
      self->dose_pending = -1;
      return;
    }
  self->confirmed = self->pending;
  self->confirmed_start = self->pending_start;
  self->confirmed_course = self->pending_course;
}

static void
traj_infusion_editor_dispose (GObject *object)
{
  TrajInfusionEditor *self = TRAJ_INFUSION_EDITOR (object);

  /* The reading rows go first: their handlers point into self->readings. */
  if (self->readings_box)
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (self->readings_box)) != NULL)
        gtk_box_remove (GTK_BOX (self->readings_box), child);
      g_ptr_array_set_size (self->readings, 0);
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_INFUSION_EDITOR);
  G_OBJECT_CLASS (traj_infusion_editor_parent_class)->dispose (object);
}

static void
traj_infusion_editor_finalize (GObject *object)
{
  TrajInfusionEditor *self = TRAJ_INFUSION_EDITOR (object);

  g_clear_pointer (&self->existing, traj_infusion_free);
  g_clear_pointer (&self->records, traj_patient_records_free);
  g_free (self->clinic_name);
  g_free (self->clinic_address);
  g_array_unref (self->course_ids);
  g_ptr_array_unref (self->readings);
  G_OBJECT_CLASS (traj_infusion_editor_parent_class)->finalize (object);
}

static void
traj_infusion_editor_class_init (TrajInfusionEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  TrajEditorDialogClass *editor_class = TRAJ_EDITOR_DIALOG_CLASS (klass);

  object_class->dispose = traj_infusion_editor_dispose;
  object_class->finalize = traj_infusion_editor_finalize;
  editor_class->save = traj_infusion_editor_save;
  editor_class->confirm = traj_infusion_editor_confirm;

  traj_gui_init ();
  g_type_ensure (TRAJ_TYPE_COLUMNS_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/trajectory/Trajectory/traj-infusion-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, content);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, course_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, course_model);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, date_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, date_message);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, time_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, time_message);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, duration_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, duration_message);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, phase_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, phase_model);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, medicine_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, medicine_model);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, route_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, route_model);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, lot_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, weight_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, weight_message);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, dose_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, fixed_dose_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, fixed_dose_model);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, dose_message);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, medicine_message);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, total_label);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, vitals_header);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, readings_box);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, add_reading_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, vitals_legend);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, side_effects_box);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, side_note_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, cadss_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, cadss_message);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, moaas_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, moaas_model);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, concomitant_group);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, monitoring_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, monitoring_message);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, ready_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, ready_message);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, clinician_row);
  gtk_widget_class_bind_template_child (widget_class, TrajInfusionEditor, notes_view);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_add_reading);
}

static void
traj_infusion_editor_init (TrajInfusionEditor *self)
{
  self->dose_confirmed = self->dose_pending = -1;
  self->course_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->readings = g_ptr_array_new_with_free_func (g_free);
  self->loading = TRUE;
  traj_thresholds_init_defaults (&self->thresholds);

  gtk_widget_init_template (GTK_WIDGET (self));
  traj_editor_dialog_set_content (TRAJ_EDITOR_DIALOG (self), self->content);

  for (TrajPhase p = 0; p < TRAJ_N_PHASES; p++)
    gtk_string_list_append (self->phase_model, traj_phase_label (p));
  for (TrajMedicine m = 0; m < TRAJ_N_MEDICINES; m++)
    gtk_string_list_append (self->medicine_model, traj_medicine_label (m));
  for (TrajRoute r = 0; r < TRAJ_N_ROUTES; r++)
    gtk_string_list_append (self->route_model, traj_route_label (r));
  for (guint k = 0; k < TRAJ_ESKETAMINE_N_FIXED_DOSES; k++)
    {
      /* Translators: a fixed esketamine dose, e.g. "56 mg" */
      g_autofree char *label = g_strdup_printf (_("%d mg"), traj_esketamine_fixed_dose (k));
      gtk_string_list_append (self->fixed_dose_model, label);
    }

  {
    /* The MOAA/S levels, highest first (Chernik 1990), in short: what the
     * patient responds to. */
    const char *levels[] = {
      N_("Not recorded"),
      N_("5 · Readily to name"),
      N_("4 · Lethargic to name"),
      N_("3 · Loud or repeated name"),
      N_("2 · Prodding or shaking"),
      N_("1 · Painful stimulus only"),
      N_("0 · No response"),
    };
    for (guint k = 0; k < G_N_ELEMENTS (levels); k++)
      gtk_string_list_append (self->moaas_model, _(levels[k]));
    /* The row shows the chosen level's number only ("3"), which fits beside
     * the title at any width; the list shows each level's words. */
    g_autoptr(GtkListItemFactory) row_factory = moaas_factory (TRUE);
    g_autoptr(GtkListItemFactory) list_factory = moaas_factory (FALSE);

    adw_combo_row_set_factory (self->moaas_row, row_factory);
    adw_combo_row_set_list_factory (self->moaas_row, list_factory);
  }
  for (guint k = 0; k < TRAJ_N_SIDE_EFFECTS; k++)
    {
      self->side_effect_checks[k] = gtk_check_button_new_with_label (traj_side_effect_label (k));
      g_signal_connect_swapped (self->side_effect_checks[k], "toggled", G_CALLBACK (on_field_changed), self);
      gtk_box_append (GTK_BOX (self->side_effects_box), self->side_effect_checks[k]);
    }
  for (guint k = 0; k < TRAJ_N_CONCOMITANTS; k++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *sw = gtk_switch_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), traj_concomitant_label (k));
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      traj_concomitant_label (k), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
      g_signal_connect_swapped (sw, "notify::active", G_CALLBACK (on_field_changed), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->concomitant_group), row);
      self->concomitant_switches[k] = sw;
    }
  build_vitals_header (self);

  /* After "Monitoring and Discharge", whose times it reads. */
  self->rems_group = traj_rems_group_new ();
  gtk_box_insert_child_after (GTK_BOX (self->content), self->rems_group,
                              gtk_widget_get_ancestor (self->monitoring_row, ADW_TYPE_PREFERENCES_GROUP));
  gtk_widget_set_visible (self->rems_group, FALSE);
  g_signal_connect_swapped (self->rems_group, "changed", G_CALLBACK (on_field_changed), self);
}

/* ---- public API --------------------------------------------------------- */

static void
set_number (GtkWidget *field, double value)
{
  g_autofree char *text = format_number (value);
  gtk_editable_set_text (GTK_EDITABLE (field), text);
}

static void
fill_from (TrajInfusionEditor *self, const TrajInfusion *i, gboolean whole)
{
  adw_combo_row_set_selected (self->medicine_row, i->medicine);
  adw_combo_row_set_selected (self->route_row, i->route);
  if (traj_dose_is_fixed (i->route, i->medicine))
    {
      for (guint k = 0; k < TRAJ_ESKETAMINE_N_FIXED_DOSES; k++)
        if (fabs (i->total_mg - traj_esketamine_fixed_dose (k)) < 0.001)
          adw_combo_row_set_selected (self->fixed_dose_row, k);
    }
  else if (i->dose_mg_per_kg > 0)
    set_number (self->dose_row, i->dose_mg_per_kg);
  if (!whole)
    return;

  if (i->weight_kg > 0)
    set_number (self->weight_row, i->weight_kg);
  adw_combo_row_set_selected (self->phase_row, i->phase);
  if (i->lot)
    gtk_editable_set_text (GTK_EDITABLE (self->lot_row), i->lot);
  for (guint k = 0; k < TRAJ_N_SIDE_EFFECTS; k++)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (self->side_effect_checks[k]), (i->side_effects & (1u << k)) != 0);
  for (guint k = 0; k < TRAJ_N_CONCOMITANTS; k++)
    gtk_switch_set_active (GTK_SWITCH (self->concomitant_switches[k]), (i->concomitant & (1u << k)) != 0);
  if (i->side_effect_note)
    gtk_editable_set_text (GTK_EDITABLE (self->side_note_row), i->side_effect_note);
  if (i->cadss_total >= 0)
    {
      g_autofree char *text = g_strdup_printf ("%d", i->cadss_total);
      gtk_editable_set_text (GTK_EDITABLE (self->cadss_row), text);
    }
  adw_combo_row_set_selected (self->moaas_row, i->moaas_lowest >= 0 ? (guint) (TRAJ_MOAAS_MAX - i->moaas_lowest + 1) : 0);
  if (i->monitoring_min > 0)
    {
      g_autofree char *text = g_strdup_printf ("%d", i->monitoring_min);
      gtk_editable_set_text (GTK_EDITABLE (self->monitoring_row), text);
    }
  if (i->ready_at != TRAJ_TIME_NONE)
    {
      g_autoptr(GDateTime) ready = g_date_time_new_from_unix_local (i->ready_at);
      g_autofree char *text = g_date_time_format (ready, "%H:%M");
      gtk_editable_set_text (GTK_EDITABLE (self->ready_row), text);
    }
  if (i->notes)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view), i->notes, -1);
  traj_rems_group_set (TRAJ_REMS_GROUP (self->rems_group), i);
  for (guint k = 0; k < i->vitals->len; k++)
    add_reading (self, g_ptr_array_index (i->vitals, k), NULL);
}

GtkWidget *
traj_infusion_editor_new (GtkWindow                *parent,
                          TrajStore                *store,
                          GSettings                *settings,
                          const TrajPatientRecords *records,
                          const TrajInfusion       *existing)
{
  TrajInfusionEditor *self;
  const TrajCourse *current;
  const TrajInfusion *last_of_patient = NULL, *last_of_course = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;
  g_autofree char *time = NULL;
  g_autofree char *clinician = NULL;
  gint64 course_id;
  gint64 none = 0;

  g_return_val_if_fail (TRAJ_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (records != NULL && records->patient != NULL, NULL);

  self = g_object_new (TRAJ_TYPE_INFUSION_EDITOR,
                       "store", store,
                       "transient-for", parent,
                       NULL);
  self->patient_id = records->patient->id;
  if (settings)
    {
      g_autoptr(GSettingsSchema) schema = NULL;

      traj_thresholds_load (&self->thresholds, settings);
      g_object_get (settings, "settings-schema", &schema, NULL);
      if (schema && g_settings_schema_has_key (schema, "clinic-name"))
        self->clinic_name = g_settings_get_string (settings, "clinic-name");
      if (schema && g_settings_schema_has_key (schema, "clinic-address"))
        self->clinic_address = g_settings_get_string (settings, "clinic-address");
    }

  /* Only what the phase suggestion needs: the courses and their infusions. */
  self->records = traj_patient_records_new ();
  self->records->patient = traj_patient_copy (records->patient);
  for (guint k = 0; k < records->courses->len; k++)
    g_ptr_array_add (self->records->courses, traj_course_copy (g_ptr_array_index (records->courses, k)));
  for (guint k = 0; k < records->infusions->len; k++)
    g_ptr_array_add (self->records->infusions, traj_infusion_copy (g_ptr_array_index (records->infusions, k)));

  current = traj_patient_records_current_course (records);
  course_id = existing ? existing->course_id : current ? current->id : 0;

  gtk_string_list_append (self->course_model, _("No course"));
  g_array_append_val (self->course_ids, none);
  for (guint k = 0; k < records->courses->len; k++)
    {
      const TrajCourse *c = g_ptr_array_index (records->courses, k);
      g_autofree char *label = traj_editor_course_label (c);

      gtk_string_list_append (self->course_model, label);
      g_array_append_val (self->course_ids, c->id);
    }
  for (guint k = 0; k < self->course_ids->len; k++)
    if (g_array_index (self->course_ids, gint64, k) == course_id)
      adw_combo_row_set_selected (self->course_row, k);

  /* Defaults: weight from the patient's last infusion; medicine, route and
   * dose from the last of this course. */
  for (guint k = 0; k < records->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (records->infusions, k);

      if (i->weight_kg > 0)
        last_of_patient = i;
      if (course_id != 0 && i->course_id == course_id)
        last_of_course = i;
    }

  adw_combo_row_set_selected (self->fixed_dose_row, 1);
  if (existing)
    {
      self->existing = traj_infusion_copy (existing);
      self->dose_confirmed = existing->dose_mg_per_kg;
      self->confirmed = existing->date_confirmed;
      self->confirmed_start = existing->started_at;
      self->confirmed_course = existing->course_id;
      gtk_window_set_title (GTK_WINDOW (self), existing->route == TRAJ_ROUTE_INTRANASAL ? _("Edit Session")
                                                                                   : _("Edit Infusion"));
      when = g_date_time_new_from_unix_local (existing->started_at);
      fill_from (self, existing, TRUE);
      {
        g_autofree char *duration = g_strdup_printf ("%d", existing->duration_min);
        gtk_editable_set_text (GTK_EDITABLE (self->duration_row), duration);
      }
      clinician = g_strdup (existing->clinician);
    }
  else
    {
      const TrajVitalSign offered[] = {
        { .minute = 0, .systolic = -1, .diastolic = -1, .heart_rate = -1, .spo2 = -1, .resp_rate = -1 },
        { .minute = 40, .systolic = -1, .diastolic = -1, .heart_rate = -1, .spo2 = -1, .resp_rate = -1 },
        { .minute = DISCHARGE_MINUTE, .systolic = -1, .diastolic = -1, .heart_rate = -1, .spo2 = -1, .resp_rate = -1 },
      };

      when = g_date_time_new_now_local ();
      gtk_editable_set_text (GTK_EDITABLE (self->duration_row), "40");
      if (last_of_course && last_of_course->route == TRAJ_ROUTE_INTRANASAL)
        gtk_window_set_title (GTK_WINDOW (self), _("Log Session"));
      if (last_of_course)
        fill_from (self, last_of_course, FALSE);
      else
        /* The published protocol: 0.5 mg/kg IV over 40 minutes. */
        gtk_editable_set_text (GTK_EDITABLE (self->dose_row), "0.5");
      if (last_of_patient)
        set_number (self->weight_row, last_of_patient->weight_kg);
      /* CLINICAL.md §8: the concomitant answers come from the medication
       * list (what is taken today), still editable. */
      if (records->medications->len > 0)
        {
          guint taken = traj_medications_concomitant_on (records, traj_day_today ());

          for (guint k = 0; k < TRAJ_N_CONCOMITANTS; k++)
            gtk_switch_set_active (GTK_SWITCH (self->concomitant_switches[k]), (taken & (1u << k)) != 0);
          adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->concomitant_group),
                                                 _("Filled in from the patient’s medication list (what is taken "
                                                   "today). Change an answer if the list is out of date."));
        }
      add_reading (self, &offered[0], _("pre-dose"));
      add_reading (self, &offered[1], _("40 min"));
      add_reading (self, &offered[2], _("discharge"));

      if (settings)
        {
          g_autoptr(GSettingsSchema) schema = NULL;

          g_object_get (settings, "settings-schema", &schema, NULL);
          if (schema && g_settings_schema_has_key (schema, "clinician-name"))
            clinician = g_settings_get_string (settings, "clinician-name");
        }
      if (clinician == NULL || *clinician == '\0')
        {
          g_free (clinician);
          clinician = g_strdup (traj_store_get_clinician (store));
        }
    }
  date = g_date_time_format (when, "%Y-%m-%d");
  time = g_date_time_format (when, "%H:%M");
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
  gtk_editable_set_text (GTK_EDITABLE (self->time_row), time);
  if (clinician)
    gtk_editable_set_text (GTK_EDITABLE (self->clinician_row), clinician);
  if (!existing)
    {
      /* A new session's monitoring answers start from the patient's
       * earlier sessions (first session, REMS enrolment ID) and who logs
       * it (traj_rems_prefill ()). */
      g_autoptr(TrajInfusion) start = traj_infusion_new ();

      start->started_at = g_date_time_to_unix (when);
      start->clinician = g_strdup (clinician);
      traj_rems_prefill (start, records);
      traj_rems_group_set (TRAJ_REMS_GROUP (self->rems_group), start);
    }

  g_signal_connect_swapped (self->course_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->phase_row, "notify::selected", G_CALLBACK (on_phase_selected), self);
  g_signal_connect_swapped (self->medicine_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->route_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->fixed_dose_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->moaas_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->notes_view), "changed",
                            G_CALLBACK (on_field_changed), self);
  self->loading = FALSE;
  validate (self);

  return GTK_WIDGET (self);
}

guint
traj_infusion_editor_get_n_readings (TrajInfusionEditor *self)
{
  g_return_val_if_fail (TRAJ_IS_INFUSION_EDITOR (self), 0);
  return self->readings->len;
}

GtkWidget *
traj_infusion_editor_get_vital_cell (TrajInfusionEditor *self,
                                     guint               reading,
                                     guint               column)
{
  g_return_val_if_fail (TRAJ_IS_INFUSION_EDITOR (self), NULL);
  g_return_val_if_fail (reading < self->readings->len && column < TRAJ_N_VITAL_COLUMNS, NULL);
  return ((Reading *) g_ptr_array_index (self->readings, reading))->cells[column];
}

GtkWidget *
traj_infusion_editor_get_remove_button (TrajInfusionEditor *self,
                                        guint               reading)
{
  g_return_val_if_fail (TRAJ_IS_INFUSION_EDITOR (self), NULL);
  g_return_val_if_fail (reading < self->readings->len, NULL);
  return ((Reading *) g_ptr_array_index (self->readings, reading))->remove;
}

static const char *
visible_text (GtkWidget *label)
{
  return gtk_widget_get_visible (label) ? gtk_label_get_label (GTK_LABEL (label)) : NULL;
}

const char *
traj_infusion_editor_get_reading_error (TrajInfusionEditor *self,
                                        guint               reading)
{
  g_return_val_if_fail (TRAJ_IS_INFUSION_EDITOR (self), NULL);
  g_return_val_if_fail (reading < self->readings->len, NULL);
  return visible_text (((Reading *) g_ptr_array_index (self->readings, reading))->error_label);
}

const char *
traj_infusion_editor_get_reading_warning (TrajInfusionEditor *self,
                                          guint               reading)
{
  g_return_val_if_fail (TRAJ_IS_INFUSION_EDITOR (self), NULL);
  g_return_val_if_fail (reading < self->readings->len, NULL);
  return visible_text (((Reading *) g_ptr_array_index (self->readings, reading))->warning_label);
}

GtkWidget *
traj_infusion_editor_get_side_effect (TrajInfusionEditor *self,
                                      guint               index)
{
  g_return_val_if_fail (TRAJ_IS_INFUSION_EDITOR (self), NULL);
  g_return_val_if_fail (index < TRAJ_N_SIDE_EFFECTS, NULL);
  return self->side_effect_checks[index];
}

GtkWidget *
traj_infusion_editor_get_concomitant (TrajInfusionEditor *self,
                                      guint               index)
{
  g_return_val_if_fail (TRAJ_IS_INFUSION_EDITOR (self), NULL);
  g_return_val_if_fail (index < TRAJ_N_CONCOMITANTS, NULL);
  return self->concomitant_switches[index];
}

GtkWidget *
traj_infusion_editor_get_rems_group (TrajInfusionEditor *self)
{
  return self->rems_group;
}
