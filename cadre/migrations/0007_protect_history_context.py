"""The attribution of history (who, from which page) lives in pghistory's context table:
rows there may be written and updated by pghistory, never deleted."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION dandang_protect_history_context() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history attribution cannot be deleted' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dandang_protect_history_context
    BEFORE DELETE ON pghistory_context
    FOR EACH ROW EXECUTE FUNCTION dandang_protect_history_context();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS dandang_protect_history_context ON pghistory_context;
DROP FUNCTION IF EXISTS dandang_protect_history_context();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cadre", "0006_cadre_name_code_point_collation"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
