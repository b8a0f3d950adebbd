"""The phonebook's Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payamak_phonebook.tables import Contact, ContactField, ContactGroup, ContactValue, ImportJob, Membership

APP_CONFIG = AppConfig(
    app_name="phonebook",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ContactGroup, ContactField, Contact, ContactValue, Membership, ImportJob],
    migration_dependencies=["payamak.piccolo_app"],
    commands=[],
)
