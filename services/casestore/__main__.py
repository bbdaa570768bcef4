from lotsen.service import serve
from services.casestore.app import create_app
from services.casestore.settings import CasestoreSettings

if __name__ == "__main__":
    serve(create_app, CasestoreSettings())
