import { lazy, Suspense } from "react";
import { BrowserRouter, Route, Routes } from "react-router";
import { AnnouncerProvider } from "./components/Announcer";
import { CitizenLayout, RequireRole, WorkspaceLayout } from "./components/layouts";
import { AuthProvider } from "./auth";
import { I18nProvider } from "./i18n";
import { ContactFormPage } from "./pages/citizen/ContactFormPage";
import { FollowCasePage } from "./pages/citizen/FollowCasePage";
import { HomePage } from "./pages/citizen/HomePage";
import { NotFoundPage } from "./pages/citizen/NotFoundPage";
import { CasePage } from "./pages/workspace/CasePage";
import { LoginPage } from "./pages/workspace/LoginPage";
import { QueuesPage } from "./pages/workspace/QueuesPage";
import { RegisterContactPage } from "./pages/workspace/RegisterContactPage";
import { StaffPage } from "./pages/workspace/StaffPage";
import { SwitchboardPage } from "./pages/workspace/SwitchboardPage";
import { ReceiptPage } from "./pages/workspace/ReceiptPage";
import { RegistryPage } from "./pages/workspace/RegistryPage";
import { ArticlePage } from "./pages/workspace/ArticlePage";
import { KnowledgePage } from "./pages/workspace/KnowledgePage";
import { NoticesPage } from "./pages/workspace/NoticesPage";
import { Loading } from "./components/bits";

// Chart.js and the administration load only when someone opens them (the figures: supervisors, administrators, handlers).
const DashboardPage = lazy(() => import("./pages/dashboard/DashboardPage").then((m) => ({ default: m.DashboardPage })));
const MyFollowUpPage = lazy(() => import("./pages/dashboard/AgentFigures").then((m) => ({ default: m.MyFollowUpPage })));
const AdminPage = lazy(() => import("./pages/admin/AdminPage").then((m) => ({ default: m.AdminPage })));

export function App() {
  return (
    <I18nProvider>
      <AuthProvider>
        <AnnouncerProvider>
          <BrowserRouter>
            <Routes>
              <Route element={<CitizenLayout />}>
                <Route index element={<HomePage />} />
                <Route path="kontakta-oss" element={<ContactFormPage kind="contact" />} />
                <Route path="synpunkt" element={<ContactFormPage kind="feedback" />} />
                <Route path="felanmalan" element={<ContactFormPage kind="report" />} />
                <Route path="folj-arende" element={<FollowCasePage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
              <Route path="arbetsyta/logga-in" element={<LoginPage />} />
              <Route path="arbetsyta" element={<WorkspaceLayout />}>
                <Route index element={<QueuesPage />} />
                <Route path="arenden/:ref" element={<CasePage />} />
                <Route path="vaxel" element={<SwitchboardPage />} />
                <Route
                  path="personal"
                  element={
                    <RequireRole roles={["handler", "admin"]}>
                      <StaffPage />
                    </RequireRole>
                  }
                />
                <Route path="kunskapsbank" element={<KnowledgePage />} />
                <Route path="kunskapsbank/:id" element={<ArticlePage />} />
                <Route
                  path="meddelanden"
                  element={
                    <RequireRole roles={["supervisor", "admin"]}>
                      <NoticesPage />
                    </RequireRole>
                  }
                />
                <Route path="kvitto/:ref" element={<ReceiptPage />} />
                <Route
                  path="registrera"
                  element={
                    <RequireRole roles={["agent", "supervisor"]}>
                      <RegisterContactPage />
                    </RequireRole>
                  }
                />
                <Route
                  path="diarium"
                  element={
                    <RequireRole roles={["supervisor", "admin"]}>
                      <RegistryPage />
                    </RequireRole>
                  }
                />
                <Route
                  path="statistik"
                  element={
                    <RequireRole roles={["supervisor", "admin", "handler"]}>
                      <Suspense fallback={<Loading />}>
                        <DashboardPage />
                      </Suspense>
                    </RequireRole>
                  }
                />
                <Route
                  path="min-uppfoljning"
                  element={
                    <RequireRole roles={["agent", "supervisor", "admin"]}>
                      <Suspense fallback={<Loading />}>
                        <MyFollowUpPage />
                      </Suspense>
                    </RequireRole>
                  }
                />
                <Route
                  path="admin"
                  element={
                    <RequireRole roles={["admin"]}>
                      <Suspense fallback={<Loading />}>
                        <AdminPage />
                      </Suspense>
                    </RequireRole>
                  }
                />
              </Route>
            </Routes>
          </BrowserRouter>
        </AnnouncerProvider>
      </AuthProvider>
    </I18nProvider>
  );
}
