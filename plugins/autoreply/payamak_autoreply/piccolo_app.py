"""The auto-reply plugin's Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payamak_autoreply.tables import Reply, Responder, ResponderKeyword

APP_CONFIG = AppConfig(
    app_name="autoreply",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Responder, ResponderKeyword, Reply],
    migration_dependencies=["payamak.piccolo_app"],
    commands=[],
)
