import "./styles/app.css";
import { startApp } from "./app";

const mount = document.getElementById("app");
if (mount) void startApp(mount);
