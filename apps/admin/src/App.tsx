// The shell: sign-in gate, navigation generated from the models, the global search palette, and the
// page for the current route.
import { useEffect, useState } from "react";
import { useMeta, modelByName } from "./api/meta.ts";
import { signOut, useSession } from "./auth/session.ts";
import { ErrorState } from "./components/States.tsx";
import { Toasts } from "./components/Toasts.tsx";
import { humanize, strings } from "./i18n/strings.ts";
import { linkProps, parseRoute, paths, useLocationPath, type Route } from "./router.ts";
import { SignIn } from "./views/SignIn.tsx";
import { ListView } from "./views/ListView.tsx";
import { DetailView } from "./views/DetailView.tsx";
import { FormView } from "./views/FormView.tsx";
import { SearchPalette } from "./views/SearchPalette.tsx";
import { Dashboard } from "./views/Dashboard.tsx";
import { Board } from "./views/Board.tsx";
import { ImportWizard } from "./views/ImportWizard.tsx";
import type { ApiDescription } from "./api/meta.ts";
import { useNotifications } from "./realtime/useNotifications.ts";

export function App() {
  const session = useSession();
  if (!session) {
    return (
      <>
        <SignIn />
        <Toasts />
      </>
    );
  }
  return <Shell />;
}

function Shell() {
  const session = useSession()!;
  const meta = useMeta();
  useNotifications(meta.data);
  const path = useLocationPath();
  const route = parseRoute(path);
  const [searchOpen, setSearchOpen] = useState(false);
  const [navOpen, setNavOpen] = useState(false);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setSearchOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  useEffect(() => setNavOpen(false), [path]);

  const models = meta.data?.models.filter((m) => m.can.read) ?? [];
  const hasBoard = Boolean(meta.data && modelByName(meta.data, "Deal") && modelByName(meta.data, "Stage"));
  const current = "model" in route ? route.model : route.page;

  return (
    <div className={`shell${navOpen ? " nav-open" : ""}`}>
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <button type="button" className="icon nav-toggle" aria-label={strings.nav.main} aria-expanded={navOpen} onClick={() => setNavOpen((o) => !o)}>
          ☰
        </button>
        <a className="brand" {...linkProps(paths.dashboard())}>
          {strings.appName}
        </a>
        <button type="button" className="search-button" onClick={() => setSearchOpen(true)} aria-keyshortcuts="Control+K">
          <span>{strings.nav.search}</span>
          <kbd>{strings.nav.searchHint}</kbd>
        </button>
        <div className="me">
          <span className="avatar" aria-hidden="true">{session.user.name.charAt(0)}</span>
          <span className="me-name" data-testid="current-user">{session.user.name}</span>
          {session.user.roles.map((r) => (
            <span key={r} className={`badge role-${r}`}>{r}</span>
          ))}
          <button type="button" className="ghost" onClick={() => signOut()}>
            {strings.signIn.signOut}
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label={strings.nav.main}>
        <ul>
          <li>
            <a {...linkProps(paths.dashboard())} aria-current={current === "dashboard" ? "page" : undefined}>
              {strings.nav.dashboard}
            </a>
          </li>
          {hasBoard && (
            <li>
              <a {...linkProps(paths.board())} aria-current={current === "board" ? "page" : undefined}>
                {strings.nav.board}
              </a>
            </li>
          )}
        </ul>
        <h2>{strings.nav.records}</h2>
        <ul>
          {models.map((m) => (
            <li key={m.name}>
              <a {...linkProps(paths.list(m.name))} aria-current={current === m.name ? "page" : undefined}>
                {humanize(m.plural)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {meta.error ? <ErrorState error={meta.error} onRetry={() => void meta.refetch()} /> : meta.data ? <Page route={route} meta={meta.data} /> : <p className="muted">{strings.errors.loading}</p>}
      </main>
      {searchOpen && meta.data && <SearchPalette meta={meta.data} onClose={() => setSearchOpen(false)} />}
      <Toasts />
    </div>
  );
}

function Page({ route, meta }: { route: Route; meta: ApiDescription }) {
  if (route.page === "dashboard") return <Dashboard meta={meta} />;
  if (route.page === "board") return <Board meta={meta} />;
  if (route.page === "notFound") return <ErrorState message={strings.record.notFound} />;
  const model = modelByName(meta, route.model);
  if (!model || !model.can.read) return <ErrorState message={strings.record.notFound} />;
  switch (route.page) {
    case "list":
      return <ListView key={model.name} meta={meta} model={model} trash={false} />;
    case "trash":
      return <ListView key={`${model.name}-trash`} meta={meta} model={model} trash />;
    case "new":
      // A typed-in address is no way around the role: the form is not offered at all.
      if (!model.can.create) return <ErrorState message={strings.errors.forbidden} />;
      return <FormView key={`${model.name}-new`} meta={meta} model={model} />;
    case "edit":
      if (!model.can.update) return <ErrorState message={strings.errors.forbidden} />;
      return <FormView key={`${model.name}-${route.id}`} meta={meta} model={model} id={route.id} />;
    case "detail":
      return <DetailView key={`${model.name}-${route.id}`} meta={meta} model={model} id={route.id} />;
    case "import":
      return <ImportWizard key={model.name} meta={meta} model={model} />;
  }
}
