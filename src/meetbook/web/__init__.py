"""The customer booking page: static HTML, CSS and vanilla JavaScript modules served by the API process."""
