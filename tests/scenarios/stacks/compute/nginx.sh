#!/bin/sh
# nginx on the instance's :8080 in front of the API on :5001 (config written per instance:
# nginx cannot read its listen address from the environment).
set -e
dir=$(mktemp -d)
cat > "$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen $INSTANCE_IP:8080;
    location / {
      proxy_pass http://$INSTANCE_IP:5001;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$http_x_forwarded_for;
    }
  }
}
CONF
exec "$(command -v nginx || echo /usr/sbin/nginx)" -e stderr -c "$dir/nginx.conf"
