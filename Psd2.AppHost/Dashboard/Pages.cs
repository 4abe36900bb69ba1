using System.Text.Encodings.Web;

namespace Psd2.AppHost.Dashboard;

/// <summary>The resources and console log pages: plain HTML that reads the JSON API and refreshes itself (live).</summary>
internal static class Pages
{
    public static string Resources() => Layout.Page("resources", "/", """
        <h1>Resources</h1>
        <table aria-describedby="updated">
          <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Health</th><th scope="col">Process</th><th scope="col">Endpoints</th><th scope="col">Actions</th></tr></thead>
          <tbody id="resources"></tbody>
        </table>
        <p id="updated" aria-live="polite"></p>
        <script>
        async function command(name, verb) {
          await fetch(`/api/resources/${encodeURIComponent(name)}/${verb}`, { method: 'POST' });
          setTimeout(refresh, 300);
        }
        function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; }
        async function refresh() {
          const response = await fetch('/api/resources');
          if (!response.ok) return;
          const resources = await response.json();
          const body = document.getElementById('resources');
          body.replaceChildren();
          for (const r of resources) {
            const row = body.insertRow();
            row.dataset.resource = r.name;
            const name = cell(row, '');
            const link = document.createElement('a');
            link.href = `/resources/${encodeURIComponent(r.name)}/logs`; link.textContent = r.name; link.title = 'Console logs';
            name.appendChild(link);
            cell(row, r.kind);
            cell(row, r.state + (r.exitCode != null && r.state !== 'running' ? ` (exit code ${r.exitCode})` : ''), 'state-' + r.state);
            cell(row, r.health, 'health-' + r.health);
            cell(row, r.processId ?? '');
            const endpoints = cell(row, '');
            for (const [key, url] of Object.entries(r.endpoints)) {
              const div = document.createElement('div');
              if (url.startsWith('http')) { const a = document.createElement('a'); a.href = url; a.textContent = `${key}: ${url}`; div.appendChild(a); }
              else div.textContent = `${key}: ${url}`;
              endpoints.appendChild(div);
            }
            const actions = cell(row, '');
            for (const verb of ['restart', 'stop', 'start']) {
              const b = document.createElement('button'); b.textContent = verb; b.onclick = () => command(r.name, verb);
              b.setAttribute('aria-label', `${verb} ${r.name}`);
              actions.appendChild(b);
            }
          }
          document.getElementById('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
        }
        refresh(); setInterval(refresh, 2000);
        </script>
        """);

    public static string ConsoleLogs(string name) => Layout.Page(name + " console", "/", $$"""
        <h1>Console logs: {{HtmlEncoder.Default.Encode(name)}}</h1>
        <label><input type="checkbox" id="follow" checked> Follow</label>
        <pre id="log" aria-live="polite"></pre>
        <script>
        const name = '{{JavaScriptEncoder.Default.Encode(name)}}';
        let after = 0;
        async function poll() {
          const response = await fetch(`/api/resources/${encodeURIComponent(name)}/logs?after=${after}`);
          if (response.ok) {
            const log = document.getElementById('log');
            for (const line of await response.json()) {
              const span = document.createElement('span');
              span.textContent = line.text + '\n';
              if (line.isError) span.className = 'stderr';
              log.appendChild(span);
              after = line.sequence;
            }
            while (log.childNodes.length > 5000) log.removeChild(log.firstChild);
            if (document.getElementById('follow').checked) log.scrollTop = log.scrollHeight;
          }
          setTimeout(poll, 1000);
        }
        poll();
        </script>
        """);
}
