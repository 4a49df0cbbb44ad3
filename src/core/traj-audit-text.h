/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-store.h"

G_BEGIN_DECLS

/* The audit trail in words a person reads. The trail itself stores what
 * the writer saw, in a fixed form that its hash chain covers (field names
 * of the clinic file, Unix seconds, codes, English summaries); these turn
 * that into translated labels, local dates and labels of codes when it is
 * shown, so an event written before a translation still reads well.
 * Anything not recognised is returned as stored. */

/* An event's one-line title, e.g. "Infusion changed: intranasal,
 * induction, 56 mg, 4 vital-sign readings". */
char *traj_audit_event_title  (const TrajAuditEvent *e);

/* The label of a field in an edit's "field: before → after" line, e.g.
 * "risk_si_at" → "Suicidal ideation flagged", "minute 5 systolic" →
 * "Systolic (mmHg) at 5 min", "item 3 value" → "Item 3". */
char *traj_audit_field_label  (const char *field);

/* A field's stored value in words: times in local time, days as dates,
 * codes as their labels; "" stays "". */
char *traj_audit_field_value  (const char *field,
                               const char *value);

/* An edit's detail ("field: before → after" lines) with each field's
 * label and values in words; NULL when @detail is not such a list. */
char *traj_audit_changes_text (const char *detail);

/* A batch's record list ("kind uid [patient-uid]" lines) as one line per
 * patient, in the order listed: "Ada Abbott (MRN 1): 1 patient, 2
 * infusions, 8 vital-sign readings"; @name gives a patient's name from its
 * uid (or NULL: the uid is shown). NULL when @detail is not such a list. */
typedef const char *(*TrajAuditNameFunc) (gpointer data, const char *patient_uid);
char *traj_audit_batch_text (const char        *detail,
                             TrajAuditNameFunc  name,
                             gpointer           data);

/* The kind of record of a batch's "kind uid [patient-uid]" line, in words
 * ("vital_sign" → "Vital-sign reading"). */
const char *traj_audit_kind_label (const char *kind);

G_END_DECLS
