"""The test plugin's Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payamak_testplugin.tables import Note

APP_CONFIG = AppConfig(
    app_name="testplugin",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Note],
    migration_dependencies=["payamak.piccolo_app"],
    commands=[],
)
