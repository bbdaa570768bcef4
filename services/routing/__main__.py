from lotsen.service import serve
from services.routing.app import create_app
from services.routing.settings import RoutingSettings

if __name__ == "__main__":
    serve(create_app, RoutingSettings())
