// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // "Add a team" clones the last row in place instead of a round trip to the server.
  const addTeam = document.querySelector("[data-add-team]");
  const body = document.querySelector("[data-teams] tbody");
  if (addTeam && body) {
    addTeam.addEventListener("click", (event) => {
      event.preventDefault();
      const rows = body.querySelectorAll("[data-team-row]");
      const next = rows[rows.length - 1].cloneNode(true);
      const index = rows.length;
      next.querySelectorAll("input").forEach((input) => {
        // A cloned row is a new team: it must not carry the hidden id of the row it was copied from.
        input.name = input.name.replace(/teams-\d+-/, `teams-${index}-`);
        input.id = input.id.replace(/teams-\d+-/, `teams-${index}-`);
        input.value = "";
        input.classList.remove("has-error");
      });
      next.querySelectorAll(".error").forEach((e) => e.remove());
      body.appendChild(next);
      next.querySelector("input").focus();
    });
  }
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const input = button.parentElement.querySelector("[data-invite-link]");
      input.select();
      navigator.clipboard?.writeText(input.value);
    });
  });
});
