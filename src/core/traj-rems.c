/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The esketamine monitoring record (CLINICAL.md §8): the SPRAVATO REMS
 * Patient Monitoring Form's fields for one session, and what is missing. */
#define G_LOG_DOMAIN "traj-records"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>

#include "traj-rems.h"

gboolean
traj_rems_applies (const TrajInfusion *i)
{
  return i != NULL && i->route == TRAJ_ROUTE_INTRANASAL && i->medicine == TRAJ_MEDICINE_ESKETAMINE;
}

static gboolean
has_bp (const TrajVitalSign *v)
{
  return v->systolic >= 0 && v->diastolic >= 0;
}

const TrajVitalSign *
traj_rems_bp (const TrajInfusion *i, TrajRemsBp which)
{
  const TrajVitalSign *best = NULL;

  g_return_val_if_fail (i != NULL, NULL);
  for (guint k = 0; k < i->vitals->len; k++)
    {
      const TrajVitalSign *v = g_ptr_array_index (i->vitals, k);

      if (!has_bp (v))
        continue;
      switch (which)
        {
        case TRAJ_REMS_BP_BEFORE:
          if (v->minute <= 0 && (best == NULL || v->minute >= best->minute))
            best = v;
          break;
        case TRAJ_REMS_BP_AFTER_40:
          if (v->minute >= 30 && v->minute <= 59 &&
              (best == NULL || abs (v->minute - 40) < abs (best->minute - 40) ||
               (abs (v->minute - 40) == abs (best->minute - 40) && v->minute < best->minute)))
            best = v;
          break;
        case TRAJ_REMS_BP_LEAVING:
          if (v->minute >= 60 && (best == NULL || v->minute >= best->minute))
            best = v;
          break;
        case TRAJ_REMS_N_BP:
        default:
          g_return_val_if_reached (NULL);
        }
    }
  return best;
}

int
traj_rems_ready_minutes (const TrajInfusion *i)
{
  if (i->ready_at == TRAJ_TIME_NONE || i->started_at == TRAJ_TIME_NONE)
    return -1;
  return (int) MAX (0, (i->ready_at - i->started_at) / 60);
}

static void
field_free (TrajRemsField *f)
{
  g_free (f->label);
  g_free (f->value);
  g_free (f);
}

void
traj_rems_record_free (TrajRemsRecord *r)
{
  if (r == NULL)
    return;
  g_ptr_array_unref (r->fields);
  g_ptr_array_unref (r->missing);
  g_free (r);
}

/* Takes @value (NULL: missing). */
static TrajRemsField *
add (TrajRemsRecord *r, const char *section, const char *label, char *value)
{
  TrajRemsField *f = g_new0 (TrajRemsField, 1);

  f->section = section;
  f->label = g_strdup (label);
  f->value = value;
  g_ptr_array_add (r->fields, f);
  if (value == NULL)
    g_ptr_array_add (r->missing, g_strdup (label));
  return f;
}

static char *
text_or_missing (const char *s)
{
  g_autofree char *t = g_strdup (s ? s : "");

  g_strstrip (t);
  return *t ? g_steal_pointer (&t) : NULL;
}

static char *
yes_no (int answer)
{
  return answer < 0 ? NULL : g_strdup (answer ? _("Yes") : _("No"));
}

static char *
bp_text (const TrajVitalSign *v)
{
  if (v == NULL)
    return NULL;
  /* Translators: a blood pressure and the minute it was taken, from the first nasal spray device */
  return g_strdup_printf (_("%d/%d mmHg (minute %d)"), v->systolic, v->diastolic, v->minute);
}

static char *
dose_text (double mg)
{
  if (!(mg > 0))
    return NULL;
  if (fabs (mg - 56) < 0.05 || fabs (mg - 84) < 0.05)
    return g_strdup_printf (_("%.0f mg"), mg);
  /* Translators: an esketamine dose other than the form's 56 or 84 mg */
  return g_strdup_printf (_("Other: %g mg"), round (mg * 10) / 10);
}

TrajRemsRecord *
traj_rems_record_new (const TrajPatient  *patient,
                      const TrajInfusion *i,
                      const char         *clinic_name,
                      const char         *clinic_address)
{
  TrajRemsRecord *r = g_new0 (TrajRemsRecord, 1);
  const char *clinic = _("Clinic");
  const char *who = _("Patient");
  const char *session = _("Session");
  const char *monitoring = _("Monitoring");
  const char *observed = _("During monitoring");
  int ready;

  g_return_val_if_fail (patient != NULL && i != NULL, r);
  r->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) field_free);
  r->missing = g_ptr_array_new_with_free_func (g_free);
  r->monitoring_min = MAX (0, i->monitoring_min);
  r->short_monitoring = r->monitoring_min > 0 && r->monitoring_min < TRAJ_REMS_MONITORING_MIN;

  add (r, clinic, _("Clinic name"), text_or_missing (clinic_name));
  add (r, clinic, _("Clinic address"), text_or_missing (clinic_address));

  add (r, who, _("Patient name"), text_or_missing (patient->name));
  add (r, who, _("Birth date"), patient->birth_day != TRAJ_DAY_NONE ? traj_day_format (patient->birth_day) : NULL);
  add (r, who, _("Sex"), patient->sex != TRAJ_SEX_UNKNOWN ? g_strdup (traj_sex_label (patient->sex)) : NULL);
  add (r, who, _("REMS enrolment ID"), text_or_missing (i->rems_patient_id));
  add (r, who, _("First treatment session"), yes_no (i->rems_first_session));

  add (r, session, _("Date"), i->started_at != TRAJ_TIME_NONE ? traj_time_format (i->started_at) : NULL);
  add (r, session, _("Dose"), dose_text (i->total_mg));
  add (r, session, _("Lot number"), text_or_missing (i->lot));
  /* The session form's concomitant answers are switches: always yes or no. */
  add (r, session, _("Benzodiazepines"), yes_no (!!(i->concomitant & TRAJ_CONCOMITANT_BENZODIAZEPINE)));
  add (r, session, _("Non-benzodiazepine sedative-hypnotics"), yes_no (!!(i->concomitant & TRAJ_CONCOMITANT_SEDATIVE)));
  add (r, session, _("Psychostimulants"), yes_no (!!(i->concomitant & TRAJ_CONCOMITANT_STIMULANT)));
  add (r, session, _("MAOIs"), yes_no (!!(i->concomitant & TRAJ_CONCOMITANT_MAOI)));

  add (r, monitoring, _("Monitored by"), text_or_missing (i->rems_monitored_by));
  {
    char *value = NULL;

    if (r->short_monitoring)
      /* Translators: monitoring shorter than the REMS's 2 hours, said plainly */
      value = g_strdup_printf (_("%d minutes — under the %d minutes required"), r->monitoring_min,
                               TRAJ_REMS_MONITORING_MIN);
    else if (r->monitoring_min > 0)
      value = g_strdup_printf (_("%d minutes"), r->monitoring_min);
    add (r, monitoring, _("Total monitoring time"), value)->alert = r->short_monitoring;
  }
  ready = traj_rems_ready_minutes (i);
  add (r, monitoring, _("Ready to leave without the 2-hour rule"),
       ready >= 0 ? g_strdup_printf (_("after %d minutes"), ready) : NULL);
  add (r, monitoring, _("Vital signs acceptable before dosing"), yes_no (i->rems_vitals_ok_before));
  add (r, monitoring, _("Blood pressure before dosing"), bp_text (traj_rems_bp (i, TRAJ_REMS_BP_BEFORE)));
  add (r, monitoring, _("Blood pressure about 40 minutes after dosing"),
       bp_text (traj_rems_bp (i, TRAJ_REMS_BP_AFTER_40)));
  add (r, monitoring, _("Blood pressure before leaving"), bp_text (traj_rems_bp (i, TRAJ_REMS_BP_LEAVING)));
  add (r, monitoring, _("Vital signs acceptable before leaving"), yes_no (i->rems_vitals_ok_leaving));

  add (r, observed, _("Sedation"), yes_no (i->rems_sedation));
  add (r, observed, _("Dissociation"), yes_no (i->rems_dissociation));
  add (r, observed, _("Respiratory depression"), yes_no (i->rems_resp_depression));
  {
    char *value = NULL;

    if (i->rems_adverse == 0)
      value = g_strdup (_("None"));
    else if (i->rems_adverse == 1)
      value = text_or_missing (i->rems_adverse_note);
    add (r, observed, i->rems_adverse == 1 ? _("Adverse events (what happened)") : _("Adverse events"), value);
  }
  return r;
}

gboolean
traj_rems_record_complete (const TrajRemsRecord *r)
{
  return r->missing->len == 0;
}

char *
traj_rems_record_check_text (const TrajRemsRecord *r)
{
  GString *s = g_string_new (NULL);

  if (r->missing->len == 0)
    g_string_append (s, _("Complete."));
  else
    {
      g_autofree char *list = NULL;
      g_ptr_array_add (r->missing, NULL);
      list = g_strjoinv (_(", "), (char **) r->missing->pdata);
      g_ptr_array_remove_index (r->missing, r->missing->len - 1);
      /* Translators: %s lists the monitoring record's missing fields */
      g_string_append_printf (s, _("Missing: %s."), list);
    }
  if (r->short_monitoring)
    {
      g_string_append_c (s, '\n');
      g_string_append_printf (s, _("Monitoring lasted %d minutes, under the %d minutes the REMS requires."),
                              r->monitoring_min, TRAJ_REMS_MONITORING_MIN);
    }
  return g_string_free (s, FALSE);
}

void
traj_rems_prefill (TrajInfusion *i, const TrajPatientRecords *records)
{
  const TrajInfusion *latest_id = NULL;
  gboolean earlier = FALSE;

  for (guint k = 0; records && k < records->infusions->len; k++)
    {
      const TrajInfusion *o = g_ptr_array_index (records->infusions, k);

      if (o == i || (i->id > 0 && o->id == i->id) || !traj_rems_applies (o) ||
          (i->started_at != TRAJ_TIME_NONE && o->started_at >= i->started_at))
        continue;
      earlier = TRUE;
      if (o->rems_patient_id && *o->rems_patient_id)
        latest_id = o;
    }
  if (i->rems_first_session < 0)
    i->rems_first_session = earlier ? 0 : 1;
  if ((i->rems_patient_id == NULL || !*i->rems_patient_id) && latest_id)
    {
      g_free (i->rems_patient_id);
      i->rems_patient_id = g_strdup (latest_id->rems_patient_id);
    }
  if ((i->rems_monitored_by == NULL || !*i->rems_monitored_by) && i->clinician && *i->clinician)
    {
      g_free (i->rems_monitored_by);
      i->rems_monitored_by = g_strdup (i->clinician);
    }
}
