app_name = "cadre"

urlpatterns: list = []
